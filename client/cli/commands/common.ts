import os from 'node:os';
import { type Command, Option } from 'commander';
import { DateTime } from 'luxon';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Db } from '../../../infra/db/client';
import { getProgramDefinition } from '../../../infra/db/program-repository';
import { defaultProgramPath, loadProgramFile } from '../../../domain/program/load-file';
import type { Program } from '../../../domain/program/schema';
import { formatInstant } from '../../../domain/calendar/notices';
import { roundIdOf } from '../../../workflows/ids';

/**
 * Value parsers throw plain Errors (not commander's InvalidArgumentError), so a bad value ends the
 * command the way every other failure does: one line "kybao: <reason>" (client/cli/main.ts), no usage.
 *
 * Parsing and lookups the action commands share: years, dates ("YYYY-MM-DD" means 00:00 local that day,
 * i.e. "before that day"), amounts, who acts, which program and round a flag names, and turning the
 * client's errors into the one line `kybao: <reason>`.
 */

export function parseYear(value: string): number {
  const year = Number(value);
  if (!/^\d{4}$/.test(value) || year < 1900 || year > 2200) throw new Error(`"${value}" is not a year; give four digits, e.g. 2015`);
  return year;
}

export function parseAmount(value: string): string {
  const digits = value.replace(/[_,.\s]/g, '');
  if (!/^\d{1,15}$/.test(digits)) throw new Error(`"${value}" is not a whole amount of VND; give digits, e.g. 1250000000`);
  return digits.replace(/^0+(?=\d)/, '');
}

export function parseOffsets(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim()).filter(Boolean);
  const numbers = parts.map(Number);
  if (!parts.length || numbers.some((n) => !Number.isInteger(n) || n < 1 || n > 60)) {
    throw new Error(`"${value}" is not a list of working days between 1 and 60, e.g. 5,2,1`);
  }
  return [...new Set(numbers)].sort((a, b) => b - a);
}

export function parseList(value: string): string[] {
  const items = value.split(',').map((p) => p.trim()).filter(Boolean);
  if (!items.length) throw new Error(`"${value}": give at least one value, separated by commas`);
  return items;
}

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

/** Who is acting, for the workflow's records: --by, else KYBAO_ACTOR, else the login name. */
export function actorOf(by: string | undefined): string {
  if (by && by.trim()) return by.trim();
  if (process.env.KYBAO_ACTOR) return process.env.KYBAO_ACTOR;
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry */
  }
  return `cli:${user}`;
}

export function byOption(role: string): Option {
  return new Option('--by <WHO>', `who ${role} (recorded in the history and the audit log; default $KYBAO_ACTOR or cli:<login>)`);
}

export interface ProgramFlags {
  program?: string;
  programId?: string;
}

export function addProgramOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--program-id <ID>', 'program id (default: the id of the default program file)'))
    .addOption(new Option('--program <FILE>', 'read the program definition from this file instead of the database'));
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
