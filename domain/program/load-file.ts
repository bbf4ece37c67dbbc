/**
 * The one module in domain/ that touches the disk. Workflow code must not import it (Temporal's sandbox
 * forbids fs); load the program here, in a client or an activity, and hand the parsed value over.
 *
 * Parsing the default program's YAML takes a few hundred milliseconds (most of `kybao calendar`'s
 * start-up, issue #14), so what a YAML text parses to is kept in the cache folder
 * (infra/cache-dir.ts, programs/<sha-256 of the text and the parser's version>.json) and read back as
 * JSON next time. The cache holds only the YAML parser's output: validation runs every time.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { kybaoCacheDir } from '../../infra/cache-dir';
import { holidayScheduleSchema, mergeHolidaySchedule } from '../calendar/holiday-schedule';
import { parseAuthored, parseProgram, type ParseProgramResult } from './parse';
import type { Program } from './schema';
import { tameEchoes } from '../text/quoted';
import { defaultProgramPath } from './default-path';

export { defaultProgramPath };

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
  const cached = cachedYaml(text);
  if (cached.hit) return { ok: true, data: cached.data };
  let data: unknown;
  try {
    // Required here, not imported: with the parse cached, a command never loads the parser at all.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parse: parseYaml } = require('yaml') as typeof import('yaml');
    data = parseYaml(text, { prettyErrors: true }) as unknown;
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    return { ok: false, problem: `${file}: not valid YAML (${msg}); fix the syntax` };
  }
  cached.store(data);
  return { ok: true, data };
}

/** The yaml package's version: another parser may read the same text differently. */
let yamlVersion: string | undefined;

/**
 * What `text` parsed to last time, if the cache has it; `store` keeps a new result (best effort: a
 * read-only or missing cache folder only means parsing every time).
 */
function cachedYaml(text: string): { hit: true; data: unknown } | { hit: false; store(data: unknown): void } {
  let file: string;
  try {
    yamlVersion ??= (JSON.parse(readFileSync(require.resolve('yaml/package.json'), 'utf8')) as { version: string }).version;
    const key = createHash('sha256').update(`cache-format 2\0yaml@${yamlVersion}\0`).update(text).digest('hex');
    file = path.join(kybaoCacheDir(), 'programs', `${key}.json`);
    return { hit: true, data: JSON.parse(readFileSync(file, 'utf8')) as unknown };
  } catch {
    return {
      hit: false,
      store(data) {
        // JSON cannot hold what some YAML texts say (.inf, .nan): such a text is parsed every time, so that
        // validation still sees the value the author wrote.
        if (!file || !jsonFaithful(data)) return;
        try {
          mkdirSync(path.dirname(file), { recursive: true });
          const tmp = `${file}.${process.pid}.tmp`;
          writeFileSync(tmp, JSON.stringify(data));
          renameSync(tmp, file);
        } catch {
          // no cache this time
        }
      },
    };
  }
}

/** Whether JSON.stringify gives back exactly `value` when parsed (no non-finite numbers, no undefined). */
function jsonFaithful(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(jsonFaithful);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value as Record<string, unknown>).every(jsonFaithful);
  return false;
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
