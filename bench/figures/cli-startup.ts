import path from 'node:path';
import { REPO_ROOT } from '../../infra/db/database-url';
import { buildTargets } from '../../scripts/build';
import type { BenchContext } from '../context';
import { expectExit0, timeCommand } from '../context';
import { makeRow, type FigureDraft } from '../results';
import { median } from '../stats';

/**
 * Issue #14, figure 6: how long `kybao --help` and `kybao calendar --year 2015 --json` take, from the
 * shell's point of view (bin/kybao: bash, the staleness check, node on dist/cli.mjs), against a bare
 * `node -e 0` measured in the same loop. Target: at most 3× the bare node.
 */
const KYBAO = path.join(REPO_ROOT, 'bin/kybao');

export async function cliStartup(ctx: BenchContext): Promise<FigureDraft> {
  // What `npm ci` would have built; a stale build would measure tsx instead.
  await buildTargets({ ifStale: true, only: ['programs'], log: ctx.log });
  const runs = ctx.quick ? 3 : Math.max(15, ctx.runs * 3);
  const cases = [
    { name: 'kybao --help', args: ['--help'] },
    { name: 'kybao calendar --year 2015 --json', args: ['calendar', '--year', '2015', '--json'] },
  ];
  const bare: number[] = [];
  const kybao = cases.map(() => [] as number[]);
  let fallback = '';
  // Interleaved, so that a busy moment on a shared machine hits both sides alike.
  for (let i = 0; i < runs; i++) {
    bare.push(expectExit0(await timeCommand(process.execPath, ['-e', '0']), 'node -e 0').ms);
    for (const [j, c] of cases.entries()) {
      const run = expectExit0(await timeCommand(KYBAO, c.args, { cwd: REPO_ROOT }), c.name);
      if (run.stderr.includes('running the TypeScript sources')) fallback = run.stderr.trim();
      kybao[j]!.push(run.ms);
    }
  }
  if (fallback) throw new Error(`bin/kybao ran the sources, not the build: ${fallback}`);
  const details: Record<string, number> = {};
  if (!ctx.quick) {
    // For the record: the same command from the TypeScript sources, as bin/kybao ran it before issue #14.
    const tsx: number[] = [];
    for (let i = 0; i < 3; i++) tsx.push(expectExit0(await timeCommand(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), [path.join(REPO_ROOT, 'client/cli/main.ts'), '--help']), 'tsx --help').ms);
    details['from the sources with tsx (ms, median of 3)'] = Math.round(median(tsx));
  }
  return {
    id: 'cli-startup',
    title: 'CLI start-up',
    method:
      `Wall time from spawn to exit of bin/kybao (bash launcher, staleness check of dist/, node on the compiled dist/cli.mjs), ` +
      `${runs} runs interleaved with a bare \`node -e 0\`; medians. Commands load only their own chunk: \`--help\` reads the command ` +
      `declarations and commander, \`calendar\` adds luxon and the calendar rules and reads the default program as the build validated it ` +
      `(dist/default-program.json; no zod, no YAML parser); neither loads Temporal, Prisma or nodemailer ` +
      `(test/build/compiled-cli.test.ts checks it).`,
    rows: cases.map((c, j) =>
      makeRow({
        name: c.name,
        unit: 'ms',
        better: 'lower',
        kybao: { name: c.name, runs: kybao[j]! },
        baseline: { name: 'node -e 0', runs: bare },
        target: { text: '≤ 3× node -e 0', maxRatio: 3 },
        details: j === 0 ? details : {},
        median,
      }),
    ),
    breakdown: [],
    notes: [],
    todo: null,
  };
}
