/**
 * The scale scenario of issue #11: `npm run scale -- --units 1000,3000,10000`.
 *
 * For each size, two phases, each printing one summary line (and all figures as JSON with --json):
 *   burst      a real dev server in real time: the program starts (its input is a reference to the stored
 *              definition), then a quarterly round of every reporting unit gets every unit's submission
 *              from --clients concurrent clients through the workflow gateway, the round's status read
 *              from the database during the burst; the round closes with counts checked against receipts.
 *   lifecycle  the time-skipping server: the 2015-Q1 round of the same size runs from opening to close,
 *              most units on time, some late, the rest never: reminders, overdue marks, escalations and
 *              the closing counts checked against what was sent.
 * Figures: receipts per second, submit latency, the largest history (events), the largest payload (bytes),
 * the longest workflow task (ms, from the histories: WorkflowTaskStarted to WorkflowTaskCompleted), failed
 * workflow tasks. Exit status 1 when any check fails (errors, counts, payload over 512 KB, a history over
 * 10,240 events, a failed workflow task).
 */
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { runBurst, type BurstFigures } from './burst';
import { runLifecycle, type LifecycleFigures } from './lifecycle';

/** Temporal's limits the figures are checked against (bytes, events). */
export const PAYLOAD_WARNING_BYTES = 512 * 1024;
export const HISTORY_WARNING_EVENTS = 10_240;

function unitList(value: string): number[] {
  const sizes = value.split(',').map((v) => Number(v.trim()));
  if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 26 || n > 20_000)) {
    throw new InvalidArgumentError('give unit counts between 26 and 20000, separated by commas (e.g. 1000,3000,10000)');
  }
  return sizes;
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 8) throw new InvalidArgumentError('give a whole number from 0 to 8');
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 512) throw new InvalidArgumentError('give a whole number from 1 to 512');
  return n;
}

/** A histogram bound for the summary line: a number of ms, or "inf" above the last bound (1,000 ms). */
const msBound = (ms: number | null) => (ms === null ? 'inf' : String(ms));

export function burstLine(f: BurstFigures): string {
  const h = f.histories;
  return [
    'phase=burst',
    `units=${f.units}`,
    `clients=${f.clients}`,
    `worker_processes=${f.workerProcesses}`,
    ...(f.workerRoles.some((r) => r !== 'all') ? [`worker_roles=${f.workerRoles.join(',')}`] : []),
    `program_start=${f.programStart.started ? 'ok' : 'failed'}`,
    `program_input_bytes=${f.programStart.inputBytes}`,
    `sent=${f.sent}`,
    `receipts=${f.receipts}`,
    `errors=${f.errors}`,
    `busy_retries=${f.busyRetries}`,
    `receipts_per_s=${f.receiptsPerSecond.toFixed(1)}`,
    `submit_p50_ms=${f.submitLatencyMs.p50}`,
    `submit_p99_ms=${f.submitLatencyMs.p99}`,
    `status_read_p99_ms=${f.statusReadsMs.p99}`,
    `largest_history_events=${h.historyEvents.value}`,
    `largest_payload_bytes=${h.payloadBytes.value}`,
    `longest_workflow_task_ms=${h.longestTaskMs.value}`,
    ...(f.taskExecution ? [`worker_task_p99_le_ms=${msBound(f.taskExecution.p99AtMostMs)}`, `worker_task_max_le_ms=${msBound(f.taskExecution.maxAtMostMs)}`, `worker_tasks_over_1s=${f.taskExecution.overOneSecond}`, ...(f.taskExecution.overOneSecond ? [`slow_task_types=${JSON.stringify(f.taskExecution.overOneSecondByWorkflowType)}`] : []), `worker_tasks=${f.taskExecution.tasks}`] : []),
    `failed_workflow_tasks=${h.failedTasks}`,
    ...(h.failedTasks ? [`failed_task_kinds=${JSON.stringify(h.failedTaskKinds)}`] : []),
    `shards=${f.roundAtClose.shards}`,
    `counts_at_close=${JSON.stringify(f.roundAtClose.counts)}`,
    `counts_match=${f.roundAtClose.matchesSent}`,
  ].join(' ');
}

export function lifecycleLine(f: LifecycleFigures): string {
  const h = f.histories;
  return [
    'phase=lifecycle',
    `units=${f.units}`,
    `shards=${f.shards}`,
    `on_time=${f.onTime}`,
    `late=${f.late}`,
    `never=${f.never}`,
    `receipts=${f.receipts}`,
    `errors=${f.errors}`,
    `notifications=${JSON.stringify(f.notifications)}`,
    `notifications_match=${f.notificationsMatch}`,
    `largest_history_events=${h.historyEvents.value}`,
    `largest_payload_bytes=${h.payloadBytes.value}`,
    `longest_workflow_task_ms=${h.longestTaskMs.value}`,
    `failed_workflow_tasks=${h.failedTasks}`,
    `counts_at_close=${JSON.stringify(f.counts)}`,
    `counts_match=${f.countsMatch}`,
    `seconds=${f.seconds.toFixed(0)}`,
  ].join(' ');
}

/** What is wrong with a run's figures (empty when every check holds). */
export function problemsOf(f: BurstFigures | LifecycleFigures): string[] {
  const problems: string[] = [];
  const h = f.histories;
  if (f.errors) problems.push(`${f.errors} submissions got an error`);
  if ('roundAtClose' in f) {
    if (!f.programStart.started) problems.push('the program did not start');
    if (!f.roundAtClose.matchesSent) problems.push(`counts at close ${JSON.stringify(f.roundAtClose.counts)} do not match ${f.receipts} receipts`);
  } else {
    if (!f.countsMatch) problems.push(`counts at close ${JSON.stringify(f.counts)} do not match on time ${f.onTime}, late ${f.late}, never ${f.never}`);
    if (!f.notificationsMatch) problems.push(`notifications ${JSON.stringify(f.notifications)} differ from the expected ${JSON.stringify(f.expected)}`);
  }
  if (h.payloadBytes.value >= PAYLOAD_WARNING_BYTES) problems.push(`a payload of ${h.payloadBytes.value} bytes (${h.payloadBytes.where}) is over the 512 KB warning limit`);
  if (h.historyEvents.value >= HISTORY_WARNING_EVENTS) problems.push(`a history of ${h.historyEvents.value} events (${h.historyEvents.workflowId}) is over the 10,240-event warning`);
  if (h.failedTasks) problems.push(`${h.failedTasks} workflow tasks failed or timed out`);
  return problems;
}

async function main(): Promise<void> {
  const cli = new Command('npm run scale --')
    .description('The scale scenario (issue #11): a program of N units starts, a round takes a burst of every unit\'s submission, a round runs from opening to close; prints one summary line per phase and size.')
    .option('--units <list>', 'reporting units per run, comma-separated (26–20000)', unitList, [1000])
    .option('--clients <n>', 'concurrent clients submitting in the burst', positive, 64)
    .option('--worker-processes <n>', 'burst: worker processes (bin/kybao-worker) beside the clients\' process; 0 runs the worker inside it', nonNegative, 1)
    .option('--split-worker', 'burst: one more worker process runs the workflow tasks alone (KYBAO_WORKER_ROLE=workflows); the --worker-processes run the activities')
    .option('--phase <phase>', 'burst, lifecycle or both', 'both')
    .option('--json <file>', 'also write every figure to this JSON file')
    .option('--histories <dir>', 'write the histories of each round and its shards there (Temporal JSON)')
    .option('--quiet', 'only the summary lines')
    .addHelpText('after', '\nExample: npm run scale -- --units 1000,3000,10000 --clients 64 --json scale.json\nExit status 1 when a check fails (errors, counts, payload over 512 KB, history over 10,240 events, failed workflow tasks).');
  cli.parse();
  const opts = cli.opts<{ units: number[]; clients: number; workerProcesses: number; splitWorker?: boolean; phase: string; json?: string; histories?: string; quiet?: boolean }>();
  if (opts.splitWorker && opts.workerProcesses < 1) cli.error('--split-worker needs --worker-processes 1 or more (the processes that run the activities)');
  if (!['burst', 'lifecycle', 'both'].includes(opts.phase)) cli.error(`--phase ${opts.phase}: give burst, lifecycle or both`);
  const progress = opts.quiet ? undefined : (line: string) => process.stderr.write(`[scale] ${line}\n`);
  const all: Array<BurstFigures | LifecycleFigures> = [];
  let failed = false;
  for (const units of opts.units) {
    const runs: Array<() => Promise<BurstFigures | LifecycleFigures>> = [];
    if (opts.phase !== 'lifecycle') runs.push(() => runBurst({ units, clients: opts.clients, workerProcesses: opts.workerProcesses, splitWorker: opts.splitWorker ?? false, ...(opts.histories ? { historiesDir: `${opts.histories}/burst-${units}` } : {}), ...(progress ? { progress } : {}) }));
    if (opts.phase !== 'burst') runs.push(() => runLifecycle({ units, ...(opts.histories ? { historiesDir: `${opts.histories}/lifecycle-${units}` } : {}), ...(progress ? { progress } : {}) }));
    for (const run of runs) {
      const figures = await run();
      all.push(figures);
      process.stdout.write(`${'roundAtClose' in figures ? burstLine(figures) : lifecycleLine(figures)}\n`);
      const problems = problemsOf(figures);
      for (const p of problems) process.stderr.write(`[scale] CHECK FAILED: ${p}\n`);
      failed ||= problems.length > 0;
      if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ measuredAt: new Date().toISOString(), runs: all }, null, 2)}\n`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`[scale] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
