import { DateTime } from 'luxon';
import type { Client } from '@temporalio/client';
import { computeYearSchedule } from '../../domain/calendar/schedule';
import type { CycleStatus, EstimateState } from '../../domain/cycle/schema';
import type { Program } from '../../domain/program/schema';
import { programWorkflow } from '../../workflows/program';
import { yearlyCycleWorkflow } from '../../workflows/cycle';
import { cycleWorkflowId, programWorkflowId } from '../../workflows/ids';
import { releaseLocksOfAbandonedChildren } from './abandoned-children';
import { collectYear, type YearView } from '../../app/status';
import { WorkflowGateway } from '../../app/workflow-gateway';
import { Behaviour } from './behaviour';
import { createSimulationWorker, startTimeSkippingServer } from './environment';
import { listCompiledReports } from '../../infra/db/compiled-reports';
import { createSimulationWorld, type SimulationWorld } from './world';
import { driveYears, newStats, type SimulationStats } from './year';
import { newTimings, timed, timedActivities, type SimulationTimings } from './timings';

/**
 * `kybao simulate`: a year (or the whole program) on the time-skipping server, with the real workflows
 * and activities on a throw-away database, simulated units, and a report of what happened.
 */
export interface SimulationOptions {
  program: Program;
  /** One cycle year; or every year of the period with `all`. */
  year?: number;
  all?: boolean;
  seed: number;
  progress?: (line: string) => void;
  /** Keep the temp folder (database, mail) and say where it is. */
  keep?: boolean;
  /**
   * Where the compiled reports (.docx, .xlsx) are written, relative to the repository or absolute; they
   * outlive the temp folder. Default: `<temp folder>/reports`, removed with it unless `keep`.
   */
  reportsDir?: string;
  /** Called with the running pieces before the world is closed (the history recorder exports from here). */
  beforeClose?: (running: { client: Client; world: SimulationWorld }) => Promise<void>;
}

export interface MailCount {
  kind: string;
  messages: number;
  recipients: number;
}

export interface YearReport {
  year: number;
  cycle: CycleStatus | null;
  view: YearView;
  appraisal: EstimateState[];
  /**
   * The compiled drafts: each round's (quarters, ad hoc rounds) in deadline order, then the year's, then
   * any review ending this year; paths relative to the repository.
   */
  compiled: CompiledFiles[];
}

export interface CompiledFiles {
  /** The round id for a round's report, else the report's id ("<program>:year-2015", "<program>:final-review-2014-2020"). */
  key: string;
  scope: 'round' | 'year' | 'review';
  title: string;
  docx: string | null;
  xlsx: string | null;
}

export interface SimulationReport {
  programId: string;
  seed: number;
  startedAt: string;
  years: YearReport[];
  mail: MailCount[];
  stats: SimulationStats;
  habits: Record<string, string>;
  /** Where the wall time went (client/simulate/timings.ts). */
  timings: SimulationTimings;
  dir?: string;
}

/** Where the simulated clock starts: five weeks before the year's first deadline, 09:00 local. */
export function simulationStart(program: Program, year: number): string {
  const first = Math.min(...computeYearSchedule(program, year).rounds.map((r) => r.deadlineMs));
  return DateTime.fromMillis(first, { zone: program.timeZone }).minus({ days: 35 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 }).toISO({ suppressMilliseconds: true })!;
}

export async function simulate(options: SimulationOptions): Promise<SimulationReport> {
  const { program } = options;
  const progress = options.progress ?? (() => undefined);
  const years = options.all
    ? Array.from({ length: program.period.lastYear - program.period.firstYear + 1 }, (_, i) => program.period.firstYear + i)
    : [options.year ?? program.period.firstYear];
  const startAt = simulationStart(program, years[0]!);
  const timings = newTimings();
  progress(`starting the time-skipping server at ${startAt} and a throw-away database`);
  const env = await timed(timings, 'serverStartMs', () => startTimeSkippingServer(startAt));
  let world: SimulationWorld | undefined;
  try {
    world = await timed(timings, 'databaseMs', () => createSimulationWorld(program, options.reportsDir ? { reportsDir: options.reportsDir } : {}));
    const taskQueue = `kybao-simulation-${options.seed}`;
    const w0 = world;
    const worker = await timed(timings, 'workerMs', () => createSimulationWorker(env, timedActivities(w0.activities, timings), taskQueue));
    const behaviour = new Behaviour(options.seed);
    const stats = newStats();
    const reports: YearReport[] = [];
    const w = world;
    // Cycles outlive the program run that started them; the test server needs help with that.
    const watcher = options.all ? releaseLocksOfAbandonedChildren(env, years.map((y) => cycleWorkflowId(program.id, y))) : null;
    await worker.runUntil(async () => {
      const cycles = await timed(timings, 'yearMs', async () => {
        if (options.all) {
          await env.client.workflow.start(programWorkflow, {
            taskQueue,
            workflowId: programWorkflowId(program.id),
            args: [{ programRef: w.programRef, fromYear: years[0] }],
          });
          progress(`program ${program.id} started for ${years[0]}–${years[years.length - 1]}`);
        } else {
          await env.client.workflow.start(yearlyCycleWorkflow, { taskQueue, workflowId: cycleWorkflowId(program.id, years[0]!), args: [{ programRef: w.programRef, year: years[0]! }] });
          progress(`cycle ${years[0]} started`);
        }
        return driveYears({ env, db: w.db, program, behaviour, stats, timings, progress: (line) => progress(`${line}`) }, years);
      });
      const reportStarted = performance.now();
      for (const [i, year] of years.entries()) {
        const cycle = cycles[i]!;
        const gateway = new WorkflowGateway(env.client, { db: w.db, taskQueue });
        const view = await collectYear({ db: w.db, gateway }, program, year);
        // A review is listed under its last year (it covers several).
        const scopes = ['round', 'year', 'review'] as const;
        const stored = (await Promise.all(scopes.map((scope) => listCompiledReports(w.db, { programId: program.id, year, scope })))).flat();
        const compiled = stored
          .filter((r) => r.scope !== 'review' || r.toYear === year)
          .map((r) => ({ key: r.roundId ?? r.id, scope: r.scope, title: r.title, docx: r.documents.docx?.ref ?? null, xlsx: r.documents.xlsx?.ref ?? null }));
        reports.push({ year, cycle, view, appraisal: await gateway.groupEstimates(program, year), compiled });
      }
      if (options.all) await env.client.workflow.getHandle(programWorkflowId(program.id)).result();
      timings.reportMs += performance.now() - reportStarted;
      if (options.beforeClose) await options.beforeClose({ client: env.client, world: w });
    }).finally(() => watcher?.stop());
    const reportStarted = performance.now();
    const rows = await world.db.notification.findMany({ select: { kind: true, recipients: true } });
    const byKind = new Map<string, MailCount>();
    for (const r of rows) {
      const c = byKind.get(r.kind) ?? { kind: r.kind, messages: 0, recipients: 0 };
      c.messages += 1;
      c.recipients += (JSON.parse(r.recipients) as unknown[]).length;
      byKind.set(r.kind, c);
    }
    const habits: Record<string, string> = {};
    for (const u of program.units.filter((x) => x.reports)) habits[u.id] = behaviour.habitOf(u.id);
    timings.reportMs += performance.now() - reportStarted;
    return {
      programId: program.id,
      seed: options.seed,
      startedAt: startAt,
      years: reports,
      mail: [...byKind.values()].sort((a, b) => b.messages - a.messages || a.kind.localeCompare(b.kind)),
      stats,
      habits,
      timings,
      ...(options.keep ? { dir: world.dir } : {}),
    };
  } finally {
    await world?.close({ keep: options.keep });
    await env.teardown();
  }
}
