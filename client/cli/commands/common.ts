import os from 'node:os';
import { type Command, Option } from 'commander';

/**
 * What the command declarations share: value parsers for their options (years, dates, amounts, lists),
 * the options several commands take, and who acts. This module is loaded by every command, also for
 * `--help`: it must stay light (no Temporal, Prisma or mail modules; those belong in ../actions/).
 *
 * Value parsers throw plain Errors (not commander's InvalidArgumentError), so a bad value ends the
 * command the way every other failure does: one line "kybao: <reason>" (client/cli/main.ts), no usage.
 * Dates are parsed in the actions (../actions/common.ts: parseDeadline), which know the program's zone.
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

/**
 * Connection settings a command takes as flags; each falls back to the variable the worker reads
 * (../connection.ts lays them over the environment).
 */
export interface ConnectionFlags {
  address?: string;
  namespace?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  databaseUrl?: string;
  taskQueue?: string;
}

/** Adds the connection flags to a command (each command that connects gets them, so `--help` lists them). */
export function withConnectionOptions(cmd: Command, what: { temporal?: boolean; database?: boolean } = { temporal: true, database: true }): Command {
  if (what.temporal !== false) {
    cmd
      .addOption(new Option('--address <HOST:PORT>', 'Temporal frontend address (env TEMPORAL_ADDRESS, default 127.0.0.1:7233)'))
      .addOption(new Option('--namespace <NAME>', 'Temporal namespace (env TEMPORAL_NAMESPACE, default "default")'))
      .addOption(new Option('--tls-cert <FILE>', 'client certificate PEM for mTLS (env TEMPORAL_TLS_CERT)'))
      .addOption(new Option('--tls-key <FILE>', 'client key PEM for mTLS (env TEMPORAL_TLS_KEY)'))
      .addOption(new Option('--tls-ca <FILE>', 'server CA certificate PEM (env TEMPORAL_TLS_CA)'))
      .addOption(new Option('--task-queue <NAME>', 'task queue the kybao worker polls (env KYBAO_TASK_QUEUE, default "kybao")'));
  }
  if (what.database !== false) {
    cmd.addOption(new Option('--database-url <URL>', 'kybao database (env DATABASE_URL, default file:./.data/kybao.db)'));
  }
  return cmd;
}
