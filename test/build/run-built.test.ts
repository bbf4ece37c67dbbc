import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../cli/run';

/**
 * scripts/run-built.sh, the launcher behind bin/kybao, bin/kybao-worker and scripts/start.sh: the build
 * when it is newer than every file it was built from, else the sources with tsx and a one-line notice.
 * Run against a fake repository whose build and tsx loader say which one ran.
 */
let root: string;
const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-02T00:00:00Z');

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'kybao-run-built-'));
  mkdirSync(path.join(root, 'dist'));
  mkdirSync(path.join(root, 'src'));
  mkdirSync(path.join(root, 'node_modules/tsx/dist'), { recursive: true });
  writeFileSync(path.join(root, 'dist/cli.mjs'), "console.log('built', JSON.stringify(process.argv.slice(2)), JSON.stringify(process.execArgv));\n");
  writeFileSync(path.join(root, 'src/main.ts'), '');
  writeFileSync(path.join(root, 'src/other.ts'), '');
  writeFileSync(path.join(root, 'dist/programs.inputs'), 'src/main.ts\nsrc/other.ts\n');
  // The fallback loads tsx into node; this stand-in says it ran, with what, and stops there.
  writeFileSync(path.join(root, 'node_modules/tsx/dist/loader.mjs'), "console.log('tsx', JSON.stringify(process.argv.slice(1)), JSON.stringify(process.execArgv.slice(2))); process.exit(0);\n");
  for (const f of ['src/main.ts', 'src/other.ts']) utimesSync(path.join(root, f), T0, T0);
  utimesSync(path.join(root, 'dist/cli.mjs'), T1, T1);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function launch(...args: string[]) {
  const script = `. ${JSON.stringify(path.join(repoRoot, 'scripts/run-built.sh'))}; run_built "$1" cli src/main.ts --no-warnings -- "\${@:2}"`;
  const r = spawnSync('bash', ['-c', script, 'launch', root, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

describe('run_built', () => {
  test('a build newer than its sources runs with node, with the node options and the arguments, silently', () => {
    expect(launch('calendar', '--year', '2015')).toEqual({ code: 0, stdout: 'built ["calendar","--year","2015"] ["--no-warnings"]', stderr: '' });
  });

  test('a source newer than the build: the sources run with tsx, and stderr says which file', () => {
    utimesSync(path.join(root, 'src/other.ts'), new Date('2026-01-03T00:00:00Z'), new Date('2026-01-03T00:00:00Z'));
    const r = launch('--help');
    expect(r.stdout).toBe(`tsx ["${root}/src/main.ts","--help"] ["--no-warnings"]`);
    expect(r.stderr).toBe('[kybao] src/other.ts is newer than dist/cli.mjs: running the TypeScript sources with tsx (slower; "npm run build" makes it fast again)');
  });

  test('a source that is gone, a missing build or a missing input list also fall back', () => {
    rmSync(path.join(root, 'src/other.ts'));
    expect(launch().stderr).toMatch(/^\[kybao\] src\/other\.ts \(a source of dist\/cli\.mjs\) is gone: running the TypeScript sources/);
    rmSync(path.join(root, 'dist/programs.inputs'));
    expect(launch().stderr).toMatch(/^\[kybao\] dist\/cli\.mjs has not been built: /);
    rmSync(path.join(root, 'dist/cli.mjs'));
    expect(launch()).toMatchObject({ code: 0, stdout: `tsx ["${root}/src/main.ts"] ["--no-warnings"]` });
  });
});
