/**
 * Before/after of the burst on the same machine, back to back: `npm run scale:compare -- --before DIR`.
 *
 * DIR is a checkout of the earlier version (e.g. `git worktree add /tmp/before <commit>` with this
 * repository's node_modules linked in). Each pair runs the same command in both trees, one after the
 * other (`scripts/scale/run.ts --units N --phase burst --json F`, before first, then after, alternating
 * the order from pair to pair so a machine that gets busier or quieter does not favour one side), and
 * prints each run's summary line and the ratio after/before of receipts per second, submit p50 and the
 * burst's duration, per pair and over all pairs. Extra arguments after `--` go to the after side only
 * (e.g. `-- --worker-processes 0` to measure the worker in the clients' process).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { BurstFigures } from './burst';

function whole(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 20_000) throw new InvalidArgumentError('give a whole number from 1 to 20000');
  return n;
}

function runOnce(tree: string, units: number, extra: string[], jsonFile: string): BurstFigures {
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/scale/run.ts', '--units', String(units), '--phase', 'burst', '--quiet', '--json', jsonFile, ...extra], {
    cwd: tree,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (run.status !== 0) process.stderr.write(`[compare] ${tree}: exit status ${run.status} after ${((Date.now() - started) / 1000).toFixed(0)} s (a failed check; its figures are still compared)\n`);
  const figures = (JSON.parse(readFileSync(jsonFile, 'utf8')) as { runs: BurstFigures[] }).runs[0];
  if (!figures) throw new Error(`${tree} wrote no figures to ${jsonFile}`);
  return figures;
}

const ratio = (after: number, before: number) => (before ? (after / before).toFixed(2) : 'n/a');

function main(): void {
  const cli = new Command('npm run scale:compare --')
    .description('Runs the scale burst in an earlier checkout and in this one, back to back, and prints after/before ratios.')
    .requiredOption('--before <dir>', 'a checkout of the earlier version (its node_modules installed or linked)')
    .option('--units <n>', 'reporting units', whole, 1000)
    .option('--pairs <n>', 'before/after pairs, alternating which runs first', whole, 1)
    .argument('[after-args...]', 'extra arguments for the after run (after --)')
    .addHelpText('after', '\nExample: npm run scale:compare -- --before /tmp/kybao-before --units 1000 --pairs 2');
  cli.parse();
  const opts = cli.opts<{ before: string; units: number; pairs: number }>();
  const extra = cli.args;
  const after = path.resolve(__dirname, '..', '..');
  const before = path.resolve(opts.before);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-compare-'));
  const all: Array<{ before: BurstFigures; after: BurstFigures }> = [];
  for (let pair = 1; pair <= opts.pairs; pair++) {
    const order: Array<'before' | 'after'> = pair % 2 ? ['before', 'after'] : ['after', 'before'];
    const got: Partial<Record<'before' | 'after', BurstFigures>> = {};
    for (const side of order) {
      process.stderr.write(`[compare] pair ${pair}: ${side} (${os.loadavg()[0]!.toFixed(1)} load)\n`);
      got[side] = runOnce(side === 'before' ? before : after, opts.units, side === 'after' ? extra : [], path.join(dir, `${side}-${pair}.json`));
    }
    const b = got.before!;
    const a = got.after!;
    all.push({ before: b, after: a });
    process.stdout.write(
      `pair=${pair} order=${order.join(',')} before_receipts_per_s=${b.receiptsPerSecond.toFixed(1)} after_receipts_per_s=${a.receiptsPerSecond.toFixed(1)} ratio=${ratio(a.receiptsPerSecond, b.receiptsPerSecond)} ` +
        `before_errors=${b.errors} after_errors=${a.errors} before_p50_ms=${b.submitLatencyMs.p50} after_p50_ms=${a.submitLatencyMs.p50} p50_ratio=${ratio(a.submitLatencyMs.p50, b.submitLatencyMs.p50)} ` +
        `before_burst_s=${b.burstSeconds.toFixed(1)} after_burst_s=${a.burstSeconds.toFixed(1)}\n`,
    );
  }
  const sum = (side: 'before' | 'after') => all.reduce((s, p) => s + p[side].receipts, 0) / all.reduce((s, p) => s + p[side].burstSeconds, 0);
  process.stdout.write(`overall units=${opts.units} pairs=${all.length} before_receipts_per_s=${sum('before').toFixed(1)} after_receipts_per_s=${sum('after').toFixed(1)} ratio=${ratio(sum('after'), sum('before'))}\n`);
}

main();
