import type { Db } from '../infra/db/client';
import { getProgramDefinition } from '../infra/db/program-repository';
import { defaultProgramPath, loadProgramFile } from '../domain/program/load-file';
import type { Program } from '../domain/program/schema';
import { roundIdOf } from '../workflows/ids';
import { AppError } from './errors';

/**
 * Which program an operation is about: from a file, else as loaded in the database, else the default
 * program file when its id is the one asked for. Unit and round names as people give them.
 */
export interface ProgramChoice {
  /** a program definition file */
  file?: string;
  /** a program id (default: KYBAO_PROGRAM_ID, else the default file's id) */
  id?: string;
}

let defaultProgram: Program | undefined;
export function defaultProgramDefinition(): Program {
  defaultProgram ??= loadProgramFile(defaultProgramPath);
  return defaultProgram;
}

export function programIdOf(choice: ProgramChoice): string {
  if (choice.id) return choice.id;
  if (choice.file) return loadProgramFile(choice.file).id;
  return process.env.KYBAO_PROGRAM_ID || defaultProgramDefinition().id;
}

export async function resolveProgram(db: Db | null, choice: ProgramChoice): Promise<Program> {
  if (choice.file) return loadProgramFile(choice.file);
  const id = programIdOf(choice);
  if (db) {
    const stored = await getProgramDefinition(db, id);
    if (stored) return stored;
  }
  const fallback = defaultProgramDefinition();
  if (fallback.id === id) return fallback;
  throw new AppError('not-found', `program "${id}" is not loaded in the database; run "kybao program load FILE" first`, 'program');
}

/** "2026-Q4", "qd-925-thai-binh:2026-Q4" or "round:qd-925-thai-binh:2026-Q4" → the round id. */
export function roundIdFrom(value: string, programId: string): string {
  const v = value.startsWith('round:') ? value.slice('round:'.length) : value;
  return v.includes(':') ? v : roundIdOf(programId, v);
}

/** The year a round id names ("…:2026-Q4" → 2026), or null. */
export function yearOfRound(roundId: string): number | null {
  const m = /:(\d{4})-/.exec(roundId);
  return m ? Number(m[1]) : null;
}

export function requireUnit(program: Program, unitId: string): Program['units'][number] {
  const unit = program.units.find((u) => u.id === unitId);
  if (!unit) {
    const near = program.units.map((u) => u.id).filter((id) => id.includes(unitId) || unitId.includes(id)).slice(0, 3);
    throw new AppError('not-found', `unknown unit "${unitId}" in program ${program.id}${near.length ? `; did you mean ${near.join(', ')}?` : ''} (see "kybao status")`, 'unitId');
  }
  return unit;
}
