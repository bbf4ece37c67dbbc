import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { stringify } from 'yaml';
import { startTimeSkippingServer } from '../../client/simulate/environment';
import { simulationStart, type SimulationReport } from '../../client/simulate/run';
import { skipTo } from '../../client/simulate/year';
import { buildTargets } from '../../scripts/build';
import { defaultProgramPath, loadProgramFile } from '../../domain/program/load-file';
import { REPO_ROOT } from '../../infra/db/database-url';
import { createBaselineActivities } from '../baseline-activities';
import { baselineBundle } from '../baseline';
import type { BenchContext } from '../context';
import { expectExit0, timeCommand } from '../context';
import { makeRow, type FigureDraft } from '../results';
import { median, round3 } from '../stats';
import { actUpdate, finishUpdate, yearWorkflow } from '../workflows/baseline';

/**
 * Issue #14, figure 3: `kybao simulate --year 2015` of the default program, wall time from the shell
 * (compiled CLI) and where it goes (the simulation's own timings: client/simulate/timings.ts). Target:
 * 20 s. Baseline: bare Temporal doing as much on the same time-skipping server in the same run: the
 * server started at the same instant, a worker on a minimal workflow, as many clock skips and Updates
 * as the simulation's people made (each Update running two activities, like a submission) and the rest
 * of the simulation's activity calls as timer wake-ups through the same year.
 */
const YEAR = 2015;

/** --quick: the default program with three reporting units (the rest approve or receive only). */
function quickProgram(dir: string): string {
  const program = loadProgramFile(defaultProgramPath);
  const keep = new Set([program.coordinator, program.appraiser, program.units.find((u) => u.category === 'district')!.id]);
  const file = path.join(dir, 'quick-program.yaml');
  // Without its report forms: they name units and categories that no longer report here (reports are files only).
  const { forms: _forms, ...rest } = program;
  writeFileSync(file, stringify({ ...rest, units: program.units.map((u) => ({ ...u, reports: u.reports && keep.has(u.id) })) }));
  return file;
}

interface BareYear {
  ms: number;
  serverStartMs: number;
  yearMs: number;
}

async function bareYear(startAt: string, actions: number, activityCalls: number, tmp: string, run: number): Promise<BareYear> {
  const bundle = await baselineBundle();
  const started = performance.now();
  const env = await startTimeSkippingServer(startAt);
  const serverStartMs = performance.now() - started;
  const { activities, close } = createBaselineActivities(path.join(tmp, `year-baseline-${run}.db`));
  try {
    const taskQueue = `bench-year-${run}`;
    const worker = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, workflowBundle: bundle, activities });
    const begin = Date.parse(startAt);
    const span = 365 * 86_400_000;
    const perAction = 2;
    const wakeUps = Math.max(0, activityCalls - actions * perAction);
    const yearStarted = performance.now();
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(yearWorkflow, {
        taskQueue,
        workflowId: `bench-year-${run}`,
        args: [{ wakeUps: Array.from({ length: wakeUps }, (_, i) => begin + Math.round(((i + 0.5) * span) / wakeUps)) }],
      });
      for (let i = 0; i < actions; i++) {
        await skipTo(env, begin + Math.round(((i + 1) * span) / (actions + 1)));
        await handle.executeUpdate(actUpdate, { args: [{ activities: perAction }] });
      }
      await skipTo(env, begin + span);
      await handle.executeUpdate(finishUpdate);
      await handle.result();
    });
    const yearMs = performance.now() - yearStarted;
    return { ms: performance.now() - started, serverStartMs, yearMs };
  } finally {
    close();
    await env.teardown();
  }
}

export async function yearFastForward(ctx: BenchContext): Promise<FigureDraft> {
  await buildTargets({ ifStale: true, log: ctx.log });
  const runs = ctx.quick ? 1 : Math.min(ctx.runs, 3);
  const programFile = ctx.quick ? quickProgram(ctx.tmp) : defaultProgramPath;
  const program = loadProgramFile(programFile);
  const startAt = simulationStart(program, YEAR);
  const kybaoMs: number[] = [];
  const bareMs: number[] = [];
  const reports: SimulationReport[] = [];
  const bare: BareYear[] = [];
  for (let run = 0; run < runs; run++) {
    const sim = expectExit0(
      await timeCommand(path.join(REPO_ROOT, 'bin/kybao'), ['simulate', '--year', String(YEAR), '--program', programFile, '--seed', String(run + 1), '--quiet', '--json'], { cwd: REPO_ROOT }),
      'kybao simulate',
    );
    const report = JSON.parse(sim.stdout) as SimulationReport;
    reports.push(report);
    kybaoMs.push(sim.ms);
    const b = await bareYear(startAt, report.timings.actions, report.timings.activityCalls, ctx.tmp, run);
    bare.push(b);
    bareMs.push(b.ms);
    ctx.log(`year run ${run + 1}: kybao simulate ${Math.round(sim.ms)} ms, bare Temporal ${Math.round(b.ms)} ms (${report.timings.actions} actions, ${report.timings.activityCalls} activities)`);
  }
  const t = (f: keyof SimulationReport['timings']) => round3(median(reports.map((r) => r.timings[f])));
  const s = (ms: number) => round3(ms / 1000);
  return {
    id: 'year',
    title: 'A year in fast-forward',
    method:
      `\`kybao simulate --year ${YEAR}\` of ${ctx.quick ? 'the default program cut to three reporting units (--quick)' : 'the default program'} ` +
      `(compiled CLI, seeds 1…${runs}), wall time from spawn to exit; median of ${runs} run(s). Baseline, after each run: bare Temporal on ` +
      `the same time-skipping server started at the same instant, a minimal workflow taking as many Updates at as many clock skips ` +
      `as the simulation's people made (two activities each) and the rest of the simulation's activity calls as timer wake-ups, ` +
      `no database. The breakdown is the simulation's own account (client/simulate/timings.ts; \`kybao simulate\` prints it).`,
    rows: [
      makeRow({
        name: `kybao simulate --year ${YEAR}`,
        unit: 's',
        better: 'lower',
        kybao: { name: 'kybao simulate', runs: kybaoMs.map(s) },
        baseline: { name: 'bare Temporal, same work', runs: bareMs.map(s) },
        target: ctx.quick ? null : { text: '≤ 20 s', maxValue: 20 },
        details: {
          actions: t('actions'),
          'activity calls': t('activityCalls'),
          'baseline server start (s)': s(median(bare.map((b) => b.serverStartMs))),
          'baseline year (s)': s(median(bare.map((b) => b.yearMs))),
        },
        median,
      }),
    ],
    breakdown: [
      { label: 'time-skipping server start', value: s(t('serverStartMs')), unit: 's' },
      { label: 'throw-away database (template copy, program loaded, mail sink)', value: s(t('databaseMs')), unit: 's' },
      { label: 'worker (prebuilt workflow bundle)', value: s(t('workerMs')), unit: 's' },
      { label: 'the year: first workflow start to every cycle closed', value: s(t('yearMs')), unit: 's' },
      { label: '… of which waiting for clock skips', value: s(t('clockSkipsMs')), unit: 's' },
      { label: '… of which the people’s Updates and queries, each to its answer', value: s(t('actionsMs')), unit: 's' },
      { label: 'activities (summed; they overlap the above)', value: s(t('activitiesMs')), unit: 's' },
      { label: 'report (matrix, mail counts) and closing', value: s(t('reportMs')), unit: 's' },
    ],
    notes: [],
    todo: null,
  };
}
