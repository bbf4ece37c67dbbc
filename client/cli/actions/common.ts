import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Db } from '../../../infra/db/client';
import type { Program } from '../../../domain/program/schema';
import { parseDeadline as parseDeadlineValue } from '../../../app/input';
import { resolveProgram as resolveAppProgram } from '../../../app/programs';
import type { ProgramFlags } from '../commands/common';

/**
 * Lookups and Temporal calls the command actions share: which program and round a flag names, and
 * turning the client's errors into the one line `kybao: <reason>`; dates given on the command line
 * ("YYYY-MM-DD" means 00:00 local that day, i.e. "before that day"). Loaded with the actions, never
 * for `--help` (../commands/common.ts holds what the declarations need).
 */

/** parseDeadline with the wall clock as "now" (the CLI acts now). */
export function parseDeadline(value: string, zone: string, what: string, now = Date.now()): string {
  return parseDeadlineValue(value, zone, what, now);
}

export { defaultProgramDefinition, programIdOf, requireUnit, roundIdFrom } from '../../../app/programs';

/**
 * The program definition the worker uses: from --program FILE, else as loaded in the database, else the
 * default file (when its id is the one asked for).
 */
export function resolveProgram(db: Db | null, flags: ProgramFlags): Promise<Program> {
  return resolveAppProgram(db, { ...(flags.program ? { file: flags.program } : {}), ...(flags.programId ? { id: flags.programId } : {}) });
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
