/**
 * The one module in domain/ that touches the disk. Workflow code must not import it (Temporal's sandbox
 * forbids fs); load the program here, in a client or an activity, and hand the parsed value over.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { holidayScheduleSchema, mergeHolidaySchedule } from '../calendar/holiday-schedule';
import { parseAuthored, parseProgram, type ParseProgramResult } from './parse';
import type { Program } from './schema';
import { tameEchoes } from '../text/quoted';

/** The program that ships with kybao: Decision 925/QĐ-UBND. */
export const defaultProgramPath = path.resolve(__dirname, '../../prisma/programs/decision-925.yaml');

/** The published holiday schedules that ship with kybao, named by file: prisma/calendars/<name>.yaml. */
export const holidaySchedulesDir = path.resolve(__dirname, '../../prisma/calendars');

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

const SCHEDULE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function shippedSchedules(): string[] {
  try {
    return readdirSync(holidaySchedulesDir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -'.yaml'.length))
      .sort();
  } catch {
    return [];
  }
}

/**
 * `calendar.holidaySchedule`: read the schedule it names and merge its years into the program's
 * overrides. A bare name is a schedule that ships with kybao; anything else is a path relative to the
 * program file. Problems name the field and the schedule file.
 */
function withHolidaySchedule(data: unknown, programFile: string): { data: unknown; problems: string[] } {
  const calendar = typeof data === 'object' && data !== null ? (data as { calendar?: unknown }).calendar : undefined;
  const ref = typeof calendar === 'object' && calendar !== null ? (calendar as { holidaySchedule?: unknown }).holidaySchedule : undefined;
  // Absent, or not text: nothing to read (the program's own validation reports a bad value).
  if (typeof ref !== 'string' || ref.trim() === '') return { data, problems: [] };
  const name = ref.normalize('NFC').trim();
  const shipped = SCHEDULE_NAME.test(name);
  const file = shipped ? path.join(holidaySchedulesDir, `${name}.yaml`) : path.resolve(path.dirname(programFile), name);
  const source = readSource(file);
  if (!source.ok) {
    const hint = shipped ? `; the schedules that ship with kybao are: ${shippedSchedules().join(', ') || '(none)'}` : '';
    return { data, problems: [`calendar.holidaySchedule: "${name}": ${source.problem}${hint}`] };
  }
  const parsed = parseAuthored(holidayScheduleSchema, source.data);
  if (!parsed.ok) return { data, problems: parsed.problems.map((p) => `calendar.holidaySchedule: ${file}: ${p}`) };
  const overrides = mergeHolidaySchedule((calendar as { overrides?: unknown }).overrides, parsed.value);
  return { data: { ...(data as object), calendar: { ...(calendar as object), overrides } }, problems: [] };
}

/** Reads and validates a program file without throwing; problems carry the file name when unreadable. */
export function readProgramFile(file: string): LoadProgramResult {
  const source = readSource(file);
  if (!source.ok) return { ok: false, unreadable: true, problems: [tameEchoes(source.problem)] };
  const schedule = withHolidaySchedule(source.data, file);
  const result = parseProgram(schedule.data);
  if (!schedule.problems.length) return result;
  return { ok: false, problems: [...schedule.problems.map(tameEchoes), ...(result.ok ? [] : result.problems)] };
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
