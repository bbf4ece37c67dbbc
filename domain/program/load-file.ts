/**
 * The one module in domain/ that touches the disk. Workflow code must not import it (Temporal's sandbox
 * forbids fs); load the program here, in a client or an activity, and hand the parsed value over.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseProgram, type ParseProgramResult } from './parse';
import type { Program } from './schema';
import { defaultProgramPath } from './default-path';

export { defaultProgramPath };

export type LoadProgramResult =
  | ParseProgramResult
  /** The file could not be read or is not valid YAML/JSON: nothing was validated. */
  | { ok: false; unreadable: true; problems: string[] };

export class ProgramFileError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
    readonly unreadable: boolean,
  ) {
    super(message);
    this.name = 'ProgramFileError';
  }
}

function readSource(file: string): { ok: true; data: unknown } | { ok: false; problem: string } {
  const ext = path.extname(file).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(ext))
    return { ok: false, problem: `${file}: unsupported file type "${ext || '(none)'}"; use a .yaml, .yml or .json file` };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, problem: `${file}: no such file; check the path` };
    if (code === 'EISDIR') return { ok: false, problem: `${file}: is a directory; give the path of a program file` };
    return { ok: false, problem: `${file}: cannot read (${code ?? String(err)}); check its permissions` };
  }
  if (ext === '.json') {
    try {
      return { ok: true, data: JSON.parse(text) as unknown };
    } catch (err) {
      return { ok: false, problem: `${file}: not valid JSON (${(err as Error).message}); fix the syntax` };
    }
  }
  try {
    return { ok: true, data: parseYaml(text, { prettyErrors: true }) as unknown };
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    return { ok: false, problem: `${file}: not valid YAML (${msg}); fix the syntax` };
  }
}

/** Reads and validates a program file without throwing; problems carry the file name when unreadable. */
export function readProgramFile(file: string): LoadProgramResult {
  const source = readSource(file);
  if (!source.ok) return { ok: false, unreadable: true, problems: [source.problem] };
  return parseProgram(source.data);
}

/** Reads, validates and returns a program, or throws a ProgramFileError listing every problem. */
export function loadProgramFile(file: string = defaultProgramPath): Program {
  const result = readProgramFile(file);
  if (result.ok) return result.program;
  const unreadable = 'unreadable' in result;
  const message = unreadable
    ? (result.problems[0] ?? `${file}: unreadable`)
    : `${file}: invalid program definition:\n${result.problems.map((p) => `  ${p}`).join('\n')}`;
  throw new ProgramFileError(message, result.problems, unreadable);
}
