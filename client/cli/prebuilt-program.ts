import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultProgramPath } from '../../domain/program/default-path';
import type { Program } from '../../domain/program/schema';

/**
 * The default program, validated when the CLI is built (scripts/build.ts writes dist/default-program.json),
 * so that `kybao calendar` on it loads neither zod nor the program loader (issue #14: its start-up was 4×
 * `node -e 0`, half of it building and running the schemas). The file holds a key over every text the
 * program is read from (prisma/programs/decision-925.yaml and the holiday schedules of prisma/calendars);
 * an edited text changes the key and the program is loaded and validated from its files as usual.
 *
 * Only the build uses it (`process.env.KYBAO_BUILT` is "1" there, by esbuild's define): from the TypeScript
 * sources the schema code may be newer than the file.
 */
export const PREBUILT_PROGRAM_FILE = path.resolve(__dirname, '../../dist/default-program.json');

const CALENDARS_DIR = path.resolve(__dirname, '../../prisma/calendars');

/** sha-256 (hex) over the default program's text and every shipped holiday schedule's name and text. */
export function prebuiltProgramKey(): string {
  const hash = createHash('sha256').update('prebuilt-program 1\0').update(readFileSync(defaultProgramPath));
  for (const f of readdirSync(CALENDARS_DIR).filter((x) => x.endsWith('.yaml')).sort()) {
    hash.update(`\0${f}\0`).update(readFileSync(path.join(CALENDARS_DIR, f)));
  }
  return hash.digest('hex');
}

/** Writes the validated default program with the key of the texts it came from (the build). */
export function writePrebuiltProgram(program: Program, file: string = PREBUILT_PROGRAM_FILE): void {
  writeFileSync(file, JSON.stringify({ key: prebuiltProgramKey(), program }));
}

/**
 * The default program as the build validated it, when `programFile` is the default program, this is the
 * build (or `file` is given) and no text changed since; otherwise null (load it with
 * domain/program/load-file).
 */
export function readPrebuiltProgram(programFile: string, file: string | null = process.env.KYBAO_BUILT === '1' ? PREBUILT_PROGRAM_FILE : null): Program | null {
  if (file === null || path.resolve(programFile) !== defaultProgramPath) return null;
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { key?: unknown; program?: Program };
    return stored.key === prebuiltProgramKey() && stored.program ? stored.program : null;
  } catch {
    return null;
  }
}
