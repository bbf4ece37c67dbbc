import { Client, Connection } from '@temporalio/client';
import { DateTime } from 'luxon';
import { collectYear, roundCounts, roundUnitsPage } from '../../app/status';
import { WorkflowGateway } from '../../app/workflow-gateway';
import { computeYearSchedule } from '../../domain/calendar/schedule';
import { roundInput } from '../../domain/round/from-schedule';
import { reportingUnits } from '../../domain/program/resolve';
import { cycleWorkflowId, programWorkflowId, roundIdOf, roundWorkflowId } from '../../workflows/ids';
import { programWorkflow, programStatusQuery } from '../../workflows/program';
import { roundWorkflow } from '../../workflows/round';
import { largestOf, measureWorkflows, roundWorkflows } from './measure';
import { programWithExtraUnits } from './synthetic-program';
import { concurrently, createScaleWorld, percentiles } from './world';
import { readTaskExecution, type TaskExecutionFigures } from './worker-metrics';

/**
 * Phase A of the scale scenario, on a real dev server in real time: a program of `units` reporting units
 * (the 26 of Decision 925 plus synthetic ones) starts, then a quarterly round of every reporting unit gets
 * every unit's submission from `clients` concurrent clients, the way the web app and the CLI send them
 * (app/workflow-gateway.ts: to the shard holding the unit, stamped with the arrival instant, busy answers
 * retried); the status of the round is read from the database during the burst; the round closes when
 * the last unit is in, with its counts checked against the receipts.
 */
export interface BurstOptions {
  /** Reporting units in all (at least the 26 of the default program). */
  units: number;
  clients: number;
  /** Temporal client connections the clients share. */
  connections?: number;
  /**
   * Worker processes (bin/kybao-worker, as deployed) beside this one, which then only runs the clients;
   * 0: the worker in this process, sharing its thread with the clients. Default 1.
   */
  workerProcesses?: number;
  /** One more worker process runs the workflow tasks alone; the `workerProcesses` run the activities. */
  splitWorker?: boolean;
  /** Where to write the round's and its shards' histories (Temporal JSON), if anywhere. */
  historiesDir?: string;
  progress?: (line: string) => void;
}

export interface BurstFigures {
  units: number;
  clients: number;
  workerProcesses: number;
  /** Each worker process's role (KYBAO_WORKER_ROLE); empty with the worker in this process. */
  workerRoles: string[];
  programLoadSeconds: number;
  programStart: { started: boolean; inputBytes: number; runs: number; cycles: string[] };
  sent: number;
  receipts: number;
  errors: number;
  errorSamples: string[];
  busyRetries: number;
  burstSeconds: number;
  receiptsPerSecond: number;
  submitLatencyMs: ReturnType<typeof percentiles>;
  statusReadsMs: ReturnType<typeof percentiles>;
  fullMatrixReadMs: number | null;
  roundAtClose: { counts: Record<string, number> | null; unitCount: number; shards: number; matchesSent: boolean };
  histories: ReturnType<typeof largestOf>;
  /** The worker processes' own task execution times (their Prometheus metrics); null with the worker in process. */
  taskExecution: TaskExecutionFigures | null;
}

export async function runBurst(options: BurstOptions): Promise<BurstFigures> {
  const progress = options.progress ?? (() => undefined);
  const extra = options.units - 26;
  if (extra < 0) throw new Error(`--units ${options.units}: the default program alone has 26 reporting units; give 26 or more`);
  const thisYear = DateTime.now().setZone('Asia/Ho_Chi_Minh').year;
  const programId = `scale-${options.units}`;
  const program = programWithExtraUnits(programId, extra, 'don-vi', { period: { firstYear: thisYear, lastYear: thisYear + 1 } });
  progress(`${options.units} units: starting a dev server, loading the program`);
  const workerProcesses = options.workerProcesses ?? 1;
  const sw = await createScaleWorld({ program, server: 'dev', workerProcesses, splitWorker: options.splitWorker ?? false });
  const { env, world, taskQueue } = sw;
  const connections = await Promise.all(Array.from({ length: options.connections ?? 8 }, () => Connection.connect({ address: env.address })));
  try {
    return await sw.run(async () => {
      progress(`program loaded in ${sw.loadSeconds.toFixed(1)} s; starting program:${programId}`);
      // 1. The program starts: its input is a reference to the stored definition, whatever its size.
      const programArgs = { programRef: world.programRef };
      const inputBytes = Buffer.byteLength(JSON.stringify(programArgs));
      const program$ = await env.client.workflow.start(programWorkflow, { taskQueue, workflowId: programWorkflowId(programId), args: [programArgs] });
      const cycleIds = [cycleWorkflowId(programId, thisYear), cycleWorkflowId(programId, thisYear + 1)];
      let status = await program$.query(programStatusQuery);
      for (let i = 0; i < 600 && status.started.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 500));
        status = await env.client.workflow.getHandle(program$.workflowId).query(programStatusQuery);
      }
      const started = status.started.length > 0;
      progress(`program started: run ${status.run}, cycles ${status.started.join(', ') || 'none yet'}`);
      const programHistories = await measureWorkflows(env.client, [program$.workflowId, ...cycleIds.filter((_, i) => status.started.includes(thisYear + i))]);
      // The program's own rounds are not what is measured here; stop its cycles (their rounds and shards go with them).
      for (const id of cycleIds) await env.client.workflow.getHandle(id).terminate('scale scenario: the program started; the burst uses a round of its own').catch(() => undefined);
      await env.client.workflow.getHandle(program$.workflowId).terminate('scale scenario done with the program').catch(() => undefined);

      // 2. A quarterly round of every reporting unit, due in a week.
      const deadline = DateTime.now().setZone(program.timeZone).plus({ days: 8 }).startOf('day');
      const q = computeYearSchedule(world.outline, thisYear).rounds.find((r) => r.kind === 'quarterly-report')!;
      const roundId = roundIdOf(programId, `${thisYear}-burst`);
      const input = roundInput(world.outline, {
        roundId,
        kind: 'quarterly-report',
        year: thisYear,
        title: q.title,
        deadline: deadline.toISO()!,
        audience: { responsible: 'reporting-units' },
      });
      const round = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(roundId), args: [input] });
      const unitIds = reportingUnits(program).map((u) => u.id);
      progress(`round ${roundId} started for ${unitIds.length} units; ${options.clients} clients submitting`);

      // 3. The burst, with the status read beside it.
      const gateways = connections.map((connection) => {
        const client = new Client({ connection, namespace: env.namespace ?? 'default' });
        return new WorkflowGateway(client, { db: world.db, taskQueue, busyRetryMs: 300_000, onBusy: () => void (busyRetries += 1) });
      });
      let busyRetries = 0;
      const latencies: number[] = [];
      const errors: string[] = [];
      let receipts = 0;
      let done = false;
      const statusReads: number[] = [];
      let fullMatrixReadMs: number | null = null;
      const reader = (async () => {
        for (let i = 0; !done; i++) {
          const t = Date.now();
          await roundCounts(world.db, roundId);
          await roundUnitsPage(world.db, roundId, { offset: (i * 100) % Math.max(100, unitIds.length), limit: 100 });
          statusReads.push(Date.now() - t);
          if (i === 5) {
            const m = Date.now();
            await collectYear({ db: world.db, gateway: null }, program, thisYear, roundId);
            fullMatrixReadMs = Date.now() - m;
          }
          await new Promise((r) => setTimeout(r, 500));
        }
      })();
      const burstStarted = Date.now();
      let lastProgress = Date.now();
      await concurrently(unitIds, options.clients, async (unitId, caller) => {
        const t = Date.now();
        try {
          await gateways[caller % gateways.length]!.submitReport(roundId, { unitId, submittedBy: `clerk@${unitId}`, reference: `scale/${unitId}.pdf` }, Date.now());
          receipts += 1;
          latencies.push(Date.now() - t);
        } catch (err) {
          const cause = (err as { cause?: Error }).cause;
          const message = `${unitId}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}${cause ? ` (${cause.name}: ${cause.message})` : ''}`;
          if (!errors.length) progress(`  first error: ${message}`);
          errors.push(message);
        }
        if (Date.now() - lastProgress > 10_000) {
          lastProgress = Date.now();
          progress(`  ${receipts} receipts, ${errors.length} errors, ${busyRetries} busy retries after ${((Date.now() - burstStarted) / 1000).toFixed(0)} s`);
        }
      });
      const burstSeconds = (Date.now() - burstStarted) / 1000;
      done = true;
      await reader;
      progress(`burst done: ${receipts} receipts in ${burstSeconds.toFixed(1)} s; waiting for the round to close`);
      const result = await round.result();
      const histories = largestOf([...programHistories, ...(await measureWorkflows(env.client, await roundWorkflows(env.client, round.workflowId), options.historiesDir))]);
      const taskExecution = await readTaskExecution(sw.metricsUrls, sw.taskQueue, progress);
      return {
        units: unitIds.length,
        clients: options.clients,
        workerProcesses: sw.workerProcesses,
        workerRoles: sw.workerRoles,
        programLoadSeconds: sw.loadSeconds,
        programStart: { started, inputBytes, runs: status.run, cycles: status.started.map(String) },
        sent: unitIds.length,
        receipts,
        errors: errors.length,
        errorSamples: errors.slice(0, 5),
        busyRetries,
        burstSeconds,
        receiptsPerSecond: receipts / burstSeconds,
        submitLatencyMs: percentiles(latencies),
        statusReadsMs: percentiles(statusReads),
        fullMatrixReadMs,
        roundAtClose: {
          counts: result.counts,
          unitCount: result.unitCount,
          shards: result.shards,
          matchesSent: result.counts?.submitted === receipts && result.unitCount === unitIds.length && (await roundCounts(world.db, roundId)).counts.submitted === receipts,
        },
        histories,
        taskExecution,
      };
    });
  } finally {
    await Promise.all(connections.map((c) => c.close()));
    await sw.close();
  }
}
