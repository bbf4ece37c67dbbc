import os from 'node:os';
import { type Command, Option } from 'commander';
import { parseAmount as parseAmountValue, parseList as parseListValue, parseOffsets as parseOffsetsValue, parseYear as parseYearValue } from '../../../app/input-values';

/**
 * What the command declarations share: value parsers for their options (years, dates, amounts, lists),
 * the options several commands take, and who acts. This module is loaded by every command, also for
 * `--help`: it must stay light (no Temporal, Prisma or mail modules; those belong in ../actions/).
 *
 * Value parsers throw plain Errors (not commander's InvalidArgumentError), so a bad value ends the
 * command the way every other failure does: one line "kybao: <reason>" (client/cli/main.ts), no usage.
 * Dates are parsed in the actions (../actions/common.ts: parseDeadline), which know the program's zone.
 */

/** Value parsers for commander, which calls them as (value, previous): wrapped so `previous` is never taken for a field name. */
export const parseAmount = (value: string): string => parseAmountValue(value);
export const parseList = (value: string): string[] => parseListValue(value);
export const parseOffsets = (value: string): number[] => parseOffsetsValue(value);

/** parseYear for commander (a flag's value). */
export function parseYear(value: string): number {
  return parseYearValue(value);
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
