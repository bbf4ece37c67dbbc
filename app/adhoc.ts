import { DateTime } from 'luxon';
import { getRound } from '../infra/db/round-repository';
import { adhocRoundInput, StartAdhocRound } from '../domain/round/adhoc';
import { resolveAudience } from '../domain/round/audience';
import { outlineOf } from '../domain/program/outline';
import { currentProgramRef } from '../infra/db/program-repository';
import { describeZodError } from '../domain/round/schema';
import type { Program } from '../domain/program/schema';
import { cycleWorkflowId, roundWorkflowId } from '../workflows/ids';
import type { AppClients } from './context';
import { AppError } from './errors';
import { parseDeadline } from './input';
import { cleanText } from './text';

/**
 * An ad hoc (đột xuất) round: through the running cycle of the deadline's year (rounds
 * `<year>-adhoc-N`), or, when no cycle runs or `standalone` is asked, a round workflow of its own
 * (`<year>-adhoc-sN`). Without units or a category, every reporting unit is asked.
 */
export interface StartAdhocInput {
  program: Program;
  title: string;
  subject?: string;
  /** YYYY-MM-DD (due before 00:00 that day) or an ISO instant with offset */
  deadline: string;
  units: { unitIds: string[] } | { category: string } | { all: true };
  reminderOffsets?: number[];
  standalone?: boolean;
  by: string;
}

export interface StartAdhocResult {
  roundId: string;
  workflowId: string;
  unitIds: string[];
  /** the cycle's workflow id, or "standalone" */
  via: string;
  deadline: string;
}

export async function startAdhocRound(c: Pick<AppClients, 'db' | 'gateway' | 'clock'>, input: StartAdhocInput): Promise<StartAdhocResult> {
  const def = input.program;
  const deadline = parseDeadline(input.deadline, def.timeZone, '--deadline', c.clock.now(), 'deadline');
  const subject = cleanText(input.subject);
  const parsed = StartAdhocRound.safeParse({
    title: cleanText(input.title) ?? '',
    ...(subject ? { subject } : {}),
    units: input.units,
    deadline,
    ...(input.reminderOffsets ? { reminderOffsets: input.reminderOffsets } : {}),
    startedBy: input.by,
  });
  if (!parsed.success) throw new AppError('invalid', describeZodError(parsed.error), String(parsed.error.issues[0]?.path[0] ?? 'payload'));
  const request = parsed.data;
  const resolved = resolveAudience(def, request.units);
  if ('problem' in resolved) throw new AppError('invalid', resolved.problem, 'units');
  const year = DateTime.fromISO(deadline, { zone: def.timeZone }).year;

  if (!input.standalone && (await c.gateway.cycleState(def.id, year)) === 'RUNNING') {
    const r = await c.gateway.startAdhocInCycle(def.id, year, request);
    return { roundId: r.roundId, workflowId: r.workflowId, unitIds: resolved.unitIds, via: cycleWorkflowId(def.id, year), deadline };
  }
  const ref = await currentProgramRef(c.db, def.id);
  if (!ref) throw new AppError('not-found', `program ${def.id} is not loaded; run "kybao program load" first`, 'program');
  const outline = outlineOf(def, ref.version);
  for (let n = 1; n < 1000; n++) {
    const key = `${year}-adhoc-s${n}`;
    const roundInput = adhocRoundInput(outline, year, key, request);
    if (await getRound(c.db, roundInput.roundId)) continue;
    if (await c.gateway.startRound(roundInput)) {
      return { roundId: roundInput.roundId, workflowId: roundWorkflowId(roundInput.roundId), unitIds: resolved.unitIds, via: 'standalone', deadline };
    }
  }
  throw new AppError('refused', `too many standalone ad hoc rounds in ${year}`);
}
