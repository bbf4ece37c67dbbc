import { DateTime } from 'luxon';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { getRound } from '../../../infra/db/round-repository';
import { adhocRoundInput, resolveAdhocUnits, StartAdhocRound } from '../../../domain/round/adhoc';
import { describeZodError } from '../../../domain/round/schema';
import { startAdhocRoundUpdate } from '../../../workflows/cycle';
import { cycleWorkflowId, roundWorkflowId } from '../../../workflows/ids';
import { roundWorkflow } from '../../../workflows/round';
import { settingsFrom, withDatabase, withTemporal, type ConnectionFlags } from '../connection';
import { localTime, print, printJson } from '../output';
import { actorOf, type ProgramFlags } from '../commands/common';
import { answerWithin, explainWorkflowError, parseDeadline, resolveProgram } from './common';
import { workflowState } from './status';

export interface AdhocFlags extends ConnectionFlags, ProgramFlags {
  title: string;
  deadline: string;
  units?: string[];
  category?: string;
  reminders?: number[];
  subject?: string;
  by?: string;
  standalone?: boolean;
  json?: boolean;
}

/**
 * `kybao round adhoc`: through the running cycle of the deadline's year (startAdhocRoundUpdate), or a
 * standalone round `<year>-adhoc-sN` when no cycle runs or with --standalone.
 */
export async function startAdhocRound(opts: AdhocFlags): Promise<void> {
  const env = settingsFrom(opts);
  const out = await withDatabase(env, async (db) => {
    const def = await resolveProgram(db, opts);
    const deadline = parseDeadline(opts.deadline, def.timeZone, '--deadline');
    const units = opts.units ? { unitIds: opts.units } : opts.category ? { category: opts.category } : { all: true as const };
    const parsed = StartAdhocRound.safeParse({
      title: opts.title,
      ...(opts.subject ? { subject: opts.subject } : {}),
      units,
      deadline,
      ...(opts.reminders ? { reminderOffsets: opts.reminders } : {}),
      startedBy: actorOf(opts.by),
    });
    if (!parsed.success) throw new Error(describeZodError(parsed.error));
    const request = parsed.data;
    const resolved = resolveAdhocUnits(def, request.units);
    if ('problem' in resolved) throw new Error(resolved.problem);
    const year = DateTime.fromISO(deadline, { zone: def.timeZone }).year;

    return withTemporal(env, async (client) => {
      const cycle = client.workflow.getHandle(cycleWorkflowId(def.id, year));
      if (!opts.standalone && (await workflowState(cycle)) === 'RUNNING') {
        try {
          const r = await answerWithin(cycle.executeUpdate(startAdhocRoundUpdate, { args: [request] }), cycle.workflowId);
          return { ...r, via: cycle.workflowId, deadline };
        } catch (err) {
          throw explainWorkflowError(err, cycle.workflowId, 'the ad hoc round was');
        }
      }
      // No cycle for that year: a round of its own, keyed apart from the cycle's own ad hoc rounds.
      for (let n = 1; n < 1000; n++) {
        const key = `${year}-adhoc-s${n}`;
        const input = adhocRoundInput(def, year, key, request, resolved.unitIds);
        const workflowId = roundWorkflowId(input.roundId);
        if (await getRound(db, input.roundId)) continue;
        if ((await workflowState(client.workflow.getHandle(workflowId))) !== null) continue;
        try {
          await client.workflow.start(roundWorkflow, { taskQueue: env.KYBAO_TASK_QUEUE, workflowId, args: [input] });
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError) continue;
          throw err;
        }
        return { roundId: input.roundId, workflowId, unitIds: resolved.unitIds, via: 'standalone', deadline };
      }
      throw new Error(`too many standalone ad hoc rounds in ${year}`);
    });
  });
  if (opts.json) return printJson(out);
  print(
    `started ad hoc round ${out.roundId} (workflow ${out.workflowId}, ${out.via === 'standalone' ? 'standalone' : `in ${out.via}`}) for ${out.unitIds.length} unit(s), due before ${localTime(out.deadline)}`,
  );
}
