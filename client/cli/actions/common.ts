import { DateTime } from 'luxon';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Db } from '../../../infra/db/client';
import { getProgramDefinition } from '../../../infra/db/program-repository';
import { defaultProgramPath, loadProgramFile } from '../../../domain/program/load-file';
import type { Program } from '../../../domain/program/schema';
import { formatInstant } from '../../../domain/calendar/notices';
import { roundIdOf } from '../../../workflows/ids';
import type { ProgramFlags } from '../commands/common';

/**
 * Lookups and Temporal calls the command actions share: which program and round a flag names, and
 * turning the client's errors into the one line `kybao: <reason>`; dates given on the command line.
 */

/**
 * A deadline or extension date: "YYYY-MM-DD" is 00:00 that day in `zone` (a report is due *before* that
 * day), anything else must be a full ISO-8601 instant with an offset or Z. Returns ISO with the zone's
 * offset. Throws with a one-line reason, including for instants not after `now`.
 */
export function parseDeadline(value: string, zone: string, what: string, now = Date.now()): string {
  let dt: DateTime;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    dt = DateTime.fromISO(`${value}T00:00`, { zone });
    if (!dt.isValid) throw new Error(`${what} "${value}" is not a calendar date`);
  } else {
    if (!/[zZ]|[+-]\d{2}:?\d{2}$/.test(value)) {
      throw new Error(`${what} "${value}" needs a date (YYYY-MM-DD, meaning 00:00 ${zone} that day) or an instant with an offset, e.g. 2026-12-25T00:00:00+07:00`);
    }
    dt = DateTime.fromISO(value, { setZone: true });
    if (!dt.isValid) throw new Error(`${what} "${value}" is not an ISO-8601 instant (${dt.invalidExplanation ?? dt.invalidReason})`);
  }
  const ms = dt.toMillis();
  if (ms <= now) {
    throw new Error(`${what} ${formatInstant(ms, zone)} is in the past (now is ${formatInstant(now, zone)}); choose a later date`);
  }
  return formatInstant(ms, zone);
}

let defaultProgram: Program | undefined;
export function defaultProgramDefinition(): Program {
  defaultProgram ??= loadProgramFile(defaultProgramPath);
  return defaultProgram;
}

export function programIdOf(flags: ProgramFlags): string {
  if (flags.programId) return flags.programId;
  if (flags.program) return loadProgramFile(flags.program).id;
  return process.env.KYBAO_PROGRAM_ID || defaultProgramDefinition().id;
}

/**
 * The program definition the worker uses: from --program FILE, else as loaded in the database, else the
 * default file (when its id is the one asked for).
 */
export async function resolveProgram(db: Db | null, flags: ProgramFlags): Promise<Program> {
  if (flags.program) return loadProgramFile(flags.program);
  const id = programIdOf(flags);
  if (db) {
    const stored = await getProgramDefinition(db, id);
    if (stored) return stored;
  }
  const fallback = defaultProgramDefinition();
  if (fallback.id === id) return fallback;
  throw new Error(`program "${id}" is not loaded in the database; run "kybao program load FILE" first`);
}

/** "2026-Q4", "qd-925-thai-binh:2026-Q4" or "round:qd-925-thai-binh:2026-Q4" → the round id. */
export function roundIdFrom(value: string, programId: string): string {
  const v = value.startsWith('round:') ? value.slice('round:'.length) : value;
  return v.includes(':') ? v : roundIdOf(programId, v);
}

export function requireUnit(program: Program, unitId: string): void {
  if (!program.units.some((u) => u.id === unitId)) {
    const near = program.units.map((u) => u.id).filter((id) => id.includes(unitId) || unitId.includes(id)).slice(0, 3);
    throw new Error(`unknown unit "${unitId}" in program ${program.id}${near.length ? `; did you mean ${near.join(', ')}?` : ''} (see "kybao status")`);
  }
}

/**
 * The reason an Update or a start failed, in one line: a validator's rejection (the cause of a
 * WorkflowUpdateFailedError), a workflow that does not exist or has closed.
 */
export function explainWorkflowError(err: unknown, workflowId: string, what: string): Error {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause as Error | undefined;
    return new Error(`${what} refused: ${cause?.message ?? err.message}`);
  }
  if (err instanceof WorkflowNotFoundError || /not found|already completed/i.test((err as Error)?.message ?? '')) {
    const msg = (err as Error).message ?? '';
    if (/already completed/i.test(msg)) return new Error(`${workflowId} has already closed; it accepts nothing more`);
    return new Error(`no workflow ${workflowId} is running (${msg.split('\n')[0]})`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** How long a command waits for a workflow to answer an Update (KYBAO_UPDATE_TIMEOUT_SECONDS, default 60). */
export function updateTimeoutMs(): number {
  const s = Number(process.env.KYBAO_UPDATE_TIMEOUT_SECONDS ?? 60);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 60_000;
}

/**
 * Sends an Update and waits for its answer, at most updateTimeoutMs(): a workflow whose handler is stuck
 * (an activity failing and retrying) must not hang the command. The Update stays with the workflow.
 */
export async function answerWithin<T>(update: Promise<T>, workflowId: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const ms = updateTimeoutMs();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `${workflowId} accepted nothing and refused nothing within ${ms / 1000}s: is a kybao worker running, or is the workflow stuck (see "kybao audit timeline ${workflowId}")?`,
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([update, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
