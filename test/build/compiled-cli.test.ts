import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KYBAO, repoRoot } from '../cli/run';

/**
 * The compiled command line (dist/cli.mjs, which bin/kybao runs; the jest global setup builds it when it
 * is older than the sources): it prints what the TypeScript sources print, and a command loads only
 * what it uses, so that `--help` and `calendar` start without the Temporal client, Prisma or the mail
 * libraries (issue #14: start-up within 3× a bare `node -e 0`).
 */
const HEAVY = ['@temporalio/client', '@temporalio/common', '@temporalio/worker', '@temporalio/proto', '@grpc/grpc-js', '@prisma/client', '.prisma', '@prisma/adapter-better-sqlite3', 'better-sqlite3', 'pg', 'nodemailer', 'handlebars', 'mailparser', 'smtp-server'];

let traceDir: string;
beforeAll(() => {
  traceDir = mkdtempSync(path.join(os.tmpdir(), 'kybao-trace-'));
});
afterAll(() => rmSync(traceDir, { recursive: true, force: true }));

/** Runs bin/kybao with a tracer that records every npm package the process requires. */
function traced(args: string[]): { code: number | null; stdout: string; stderr: string; packages: string[] } {
  const file = path.join(traceDir, `${args.join('_').replace(/[^\w-]/g, '')}.txt`);
  const r = spawnSync(KYBAO, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: `--require ${path.join(__dirname, 'trace-packages.cjs')}`, KYBAO_TRACE_PACKAGES: file },
  });
  const packages = readFileSync(file, 'utf8').trim().split('\n').flatMap((line) => JSON.parse(line) as string[]);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, packages };
}

function sources(args: string[]): string {
  const r = spawnSync(path.join(repoRoot, 'node_modules/.bin/tsx'), [path.join(repoRoot, 'client/cli/main.ts'), ...args], { cwd: repoRoot, encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('the compiled kybao command line', () => {
  test('bin/kybao runs dist/cli.mjs (no fallback to the sources) and prints what the sources print', () => {
    for (const args of [['calendar', '--year', '2015', '--json'], ['calendar', '--year', '2016']]) {
      const compiled = traced(args);
      expect(compiled.code).toBe(0);
      expect(compiled.stderr).toBe('');
      // The schedule depends on the program file found relative to the sources (domain/program/default-path.ts).
      expect(compiled.stdout).toBe(sources(args));
    }
  });

  test('--help, a command’s --help, calendar and program validate load no Temporal, Prisma or mail package', () => {
    const runs = [['--help'], ['status', '--help'], ['submit', '--help'], ['calendar', '--year', '2015', '--json'], ['program', 'validate', path.join(repoRoot, 'prisma/programs/decision-925.yaml')]];
    for (const args of runs) {
      const r = traced(args);
      expect(r.code).toBe(0);
      expect({ args, heavy: r.packages.filter((p) => HEAVY.includes(p)) }).toEqual({ args, heavy: [] });
    }
  });

  test('a command that reads a history loads the Temporal packages it needs (the tracer sees lazy loads)', () => {
    const history = path.join(repoRoot, 'test/histories/round-q1.round__qd-925-thai-binh__2015-Q1.json');
    const r = traced(['audit', 'timeline', history, '--no-database']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^round qd-925-thai-binh:2015-Q1 — /);
    expect(r.packages).toEqual(expect.arrayContaining(['@temporalio/common', '@temporalio/proto']));
  });
});
