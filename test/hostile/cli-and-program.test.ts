import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CommanderError, type Command } from 'commander';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { parseAmount, parseDeadline, parseOffsets, parseYear } from '../../app/input';
import { buildProgram } from '../../client/cli/program';
import { defaultProgramPath, loadProgramFile, readProgramFile } from '../../domain/program/load-file';
import { anyText, INVISIBLES, nfdVietnamese, oversized, runs, wrongType } from './arbitraries';

/**
 * Hostile input at the command line and in program files, without any server: the `kybao` command tree
 * parsed in process (commander with exitOverride, so a refusal is an exception rather than an exit), the
 * value parsers the CLI and the web forms share, and the program loader (YAML/JSON files with values
 * replaced at random paths, garbage text, alias bombs). Nothing may crash or hang; every refusal is one
 * short line that says what was wrong; the loader reports problems by path; a program in NFD is read in NFC.
 */
const seed = Number(process.env.KYBAO_PROPERTY_SEED ?? Date.now() % 2 ** 31);
const counts: string[] = [];
afterAll(() => console.log(`hostile CLI arguments and program files:\n  ${counts.join('\n  ')}`));

/** Runs the CLI in process; resolves with the refusal's one line (the text main.ts would print after "kybao: "). */
async function refusalOf(args: readonly string[]): Promise<string> {
  const program = buildProgram();
  let output = '';
  const quiet = (cmd: Command) => {
    // configureOutput merges: the program's outputError (which shortens long quotes) stays.
    cmd.exitOverride().configureOutput({ writeOut: (s) => void (output += s), writeErr: (s) => void (output += s) });
    for (const sub of cmd.commands) quiet(sub);
  };
  quiet(program);
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      program.parseAsync(['node', 'kybao', ...args]).finally(() => clearTimeout(timer)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still running after 5 s (not refused while parsing): kybao ${args.join(' ').slice(0, 200)}`)), 5_000);
      }),
    ]);
  } catch (err) {
    // What the user sees: commander's error as the program's outputError writes it.
    if (err instanceof CommanderError) return output.split('\n')[0]!;
    return (err as Error).message;
  }
  throw new Error(`accepted: kybao ${args.join(' ').slice(0, 200)}\n${output.slice(0, 500)}`);
}

function expectOneClearLine(message: string, names: RegExp): void {
  expect(message).not.toContain('\n');
  expect(message.length).toBeGreaterThan(10);
  expect(message.length).toBeLessThan(1_000);
  expect(message).toMatch(names);
}

/** Not a year: four digits between 1900 and 2200 are the only years. */
const badYear = fc.oneof(anyText(20), oversized(), fc.constantFrom('', '15', '20155', '1899', '2201', '２０１５', '2015.0', '-2015', ' 2015', '2015\u200b', '٢٠١٥', '0x7df')).filter((v) => !/^\d{4}$/.test(v) || Number(v) < 1900 || Number(v) > 2200);
/** Not an amount: digits after dropping separators, at most 15. */
const badAmount = fc.oneof(anyText(20), oversized(), fc.constantFrom('', '-1', '1e9', '12,5 tỷ', '１２３', 'NaN', '1234567890123456', '0x10', '\u200b')).filter((v) => !/^\d{1,15}$/.test(v.replace(/[_,.\s]/g, '')));
const badOffsets = fc.oneof(anyText(20), fc.constantFrom('', '0', '61', '1.5', '-1', ',,', '5;2', '1,a', '\u200e3')).filter((v) => {
  const parts = v.split(',').map((p) => p.trim()).filter(Boolean);
  return !parts.length || parts.map(Number).some((n) => !Number.isInteger(n) || n < 1 || n > 60);
});

describe('kybao command line arguments', () => {
  it('refuses bad years, amounts, reminder lists, seeds, options and commands with one clear line', async () => {
    let n = 0;
    const command = fc.oneof(
      badYear.map((y) => ({ args: ['calendar', '--year', y], names: /is not a year|year/ })),
      badYear.map((y) => ({ args: ['status', '--year', y], names: /is not a year/ })),
      badYear.map((y) => ({ args: ['plan', 'approve', '--year', y], names: /is not a year/ })),
      badYear.map((y) => ({ args: ['simulate', '--year', y], names: /is not a year/ })),
      badYear.map((y) => ({ args: ['appraise', '--year', y, '--unit', 'so-khdt', '--approve'], names: /is not a year/ })),
      badAmount.map((a) => ({ args: ['appraise', '--year', '2015', '--unit', 'so-khdt', '--adjust', a, '--reason', 'định mức'], names: /is not a whole amount of VND/ })),
      badAmount.map((a) => ({ args: ['submit', '--round', '2015-plan', '--unit', 'so-khdt', '--file', 'x.pdf', '--amount', a], names: /is not a whole amount of VND/ })),
      badOffsets.map((r) => ({ args: ['round', 'adhoc', '--title', 'Báo cáo', '--deadline', '2099-01-01', '--reminders', r], names: /is not a list of working days between 1 and 60/ })),
      fc.oneof(anyText(10), fc.constantFrom('-1', '1.5', 'abc', '')).map((s) => ({ args: ['simulate', '--seed', s], names: /seed|whole number|--seed/ })),
      fc.constantFrom('--yaer', '--units=', '--\u200byear', '-x', '--year=2015=2016').map((o) => ({ args: ['status', o], names: /unknown option|argument missing|is not a year|too many arguments/ })),
      fc.oneof(anyText(15), fc.constantFrom('statsu', 'STATUS', 'st\u200batus', 'rm -rf /', '')).filter((c) => !['status', 'help', ''].includes(c.trim()) && !/^-/.test(c)).map((c) => ({ args: [c], names: /unknown command|too many arguments|error/ })),
      fc.constantFrom(['plan', 'approve'], ['extend', '--round', 'r'], ['appraise', '--unit', 'x'], ['user', 'add', '--role', 'coordinator'], ['link', 'revoke']).map((args) => ({ args, names: /required option|missing required argument|not specified/ })),
      fc.oneof(anyText(10), fc.constantFrom('admin', 'root', 'Coordinator', 'coordinator\u200b')).map((role) => ({ args: ['user', 'add', 'a@b.vn', '--role', role], names: /is not a role; use one of coordinator/ })),
    );
    await fc.assert(
      fc.asyncProperty(command, async ({ args, names }) => {
        n += 1;
        expectOneClearLine(await refusalOf(args), names);
      }),
      { numRuns: runs(300), seed },
    );
    counts.push(`CLI arguments: ${n} runs, all refused with one line`);
  });

  it('the shared value parsers: never throw anything but a refusal naming the field, never echo more than a line', () => {
    let n = 0;
    const now = Date.parse('2026-11-30T00:00:00Z');
    fc.assert(
      fc.property(fc.oneof(anyText(60), oversized(), fc.constantFrom(...INVISIBLES)), (value) => {
        n += 1;
        for (const [parse, field] of [
          [(v: string) => parseYear(v), 'year'],
          [(v: string) => parseAmount(v), 'amountVnd'],
          [(v: string) => parseOffsets(v), 'reminders'],
          [(v: string) => parseDeadline(v, 'Asia/Ho_Chi_Minh', '--deadline', now), 'deadline'],
        ] as const) {
          try {
            parse(value);
          } catch (err) {
            expect((err as { code?: string }).code).toBe('invalid');
            expect((err as { field?: string }).field).toBe(field);
            expect((err as Error).message.length).toBeLessThan(1_000);
          }
        }
      }),
      { numRuns: runs(500), seed },
    );
    counts.push(`value parsers: ${n} runs × 4 parsers`);
  });
});

describe('the program loader', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-hostile-program-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = JSON.parse(JSON.stringify(loadProgramFile())) as Record<string, unknown>;

  /** Every path into the default program (objects and arrays), for values to be replaced at. */
  const paths: Array<Array<string | number>> = [];
  (function walk(v: unknown, p: Array<string | number>) {
    if (p.length) paths.push(p);
    if (Array.isArray(v)) v.slice(0, 3).forEach((x, i) => walk(x, [...p, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
  })(base, []);

  function replaced(at: Array<string | number>, value: unknown): unknown {
    const copy = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
    let node: Record<string | number, unknown> = copy;
    for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
    node[at[at.length - 1]!] = value;
    return copy;
  }

  it('reports problems by path for values replaced anywhere, and survives garbage files', () => {
    let n = 0;
    let refused = 0;
    const hostileValue = fc.oneof(wrongType(), anyText(40), oversized().map((s) => s.slice(0, 50_000)), fc.constantFrom(-1, 0, 1e308, Number.MAX_SAFE_INTEGER + 2, '2015-02-30', 'Asia/Hanoi\u200b', '25:61', 'so tttt'));
    const file = fc.oneof(
      fc.tuple(fc.constantFrom(...paths), hostileValue, fc.constantFrom('.yaml', '.json')).map(([at, v, ext]) => ({ ext, text: ext === '.json' ? JSON.stringify(replaced(at, v)) : toYaml(replaced(at, v)) })),
      fc.tuple(anyText(2_000), fc.constantFrom('.yaml', '.json')).map(([text, ext]) => ({ ext, text })),
      fc.constantFrom(
        // An alias bomb (billion laughs): each level doubles ten times.
        { ext: '.yaml', text: ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n') },
        { ext: '.yaml', text: '!!js/function "function(){}"' },
        { ext: '.yaml', text: 'id: x\nid: y\n' },
        { ext: '.json', text: '{"__proto__": {"polluted": true}, "id": "x"}' },
        { ext: '.yaml', text: '\ufeff' + toYaml(base) },
      ),
    );
    fc.assert(
      fc.property(file, ({ ext, text }) => {
        n += 1;
        const f = path.join(dir, `program-${n}${ext}`);
        writeFileSync(f, text);
        // A hang (an alias bomb expanded) would end the test at jest's timeout.
        const result = readProgramFile(f);
        if (!result.ok) {
          refused += 1;
          expect(result.problems.length).toBeGreaterThan(0);
          for (const p of result.problems) {
            expect(typeof p).toBe('string');
            expect(p.length).toBeLessThan(1_000);
          }
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: runs(60), seed },
    );
    counts.push(`program files: ${n} runs, ${refused} refused with problems by path, the rest valid`);
  });

  it('reads a program written in NFD as NFC, and refuses ids with invisible characters', () => {
    let n = 0;
    fc.assert(
      fc.property(nfdVietnamese(), fc.nat({ max: 20 }), fc.constantFrom(...INVISIBLES), (name, unitIndex, invisible) => {
        n += 1;
        const units = base.units as Array<{ id: string; name: { vi: string } }>;
        const i = unitIndex % units.length;
        const f = path.join(dir, `nfd-${n}.yaml`);
        writeFileSync(f, toYaml(replaced(['units', i, 'name', 'vi'], name)).normalize('NFD'));
        const read = readProgramFile(f);
        expect(read.ok).toBe(true);
        if (read.ok) expect(read.program.units[i]!.name.vi).toBe(name.normalize('NFC'));

        const g = path.join(dir, `invisible-${n}.yaml`);
        const id = units[i]!.id;
        writeFileSync(g, toYaml(replaced(['units', i, 'id'], `${id.slice(0, 2)}${invisible}${id.slice(2)}`)));
        const bad = readProgramFile(g);
        expect(bad.ok).toBe(false);
        if (!bad.ok) expect(bad.problems.join('\n')).toMatch(/units/);
      }),
      { numRuns: runs(60), seed },
    );
    counts.push(`NFD programs and invisible ids: ${n} runs`);
    expect(defaultProgramPath).toMatch(/decision-925\.yaml$/);
  });
});
