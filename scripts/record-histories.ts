/**
 * Records the replay corpus: runs fixed scenarios on the time-skipping test server with the real
 * workflows and activities, and writes every workflow history they produce to test/histories/ as
 * "<scenario>.<workflow id with : as __>[.<run>].json". test/cli/replay.test.ts replays them all on every
 * test run, so a workflow change that would break running workflows fails the tests.
 *
 *   npx tsx scripts/record-histories.ts                 every scenario, into test/histories/
 *   npx tsx scripts/record-histories.ts round-q1 adhoc  only these (their old files are replaced)
 *   npx tsx scripts/record-histories.ts --out DIR       somewhere else
 *
 * Scenarios: skeleton (the walking skeleton), round-q1 (a quarterly round: on time, late, missing, an
 * extension), adhoc (a standalone ad hoc round with an extension and a second version), year-2015 (the
 * program workflow running cycle 2015 of the default program with simulated units: plan, appraisal with
 * returns and adjustments, approval, four quarters, an ad hoc round, revisions, the compilation),
 * round-report (a Q1 2015 round closing with its compiled report as an obligation, edited, recompiled and
 * issued: patches compile-round-report-on-close, start-report-obligation-on-close), year-reports (cycle
 * 2017 compiling the year and the sơ kết and starting both as obligations, both issued: patches
 * compile-year-and-review-reports, start-year-and-review-report-obligations).
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { REPO_ROOT } from '../infra/db/database-url';
import { computeYearSchedule } from '../domain/calendar/schedule';
import { loadProgramFile } from '../domain/program/load-file';
import { reportingUnits } from '../domain/program/resolve';
import type { Program } from '../domain/program/schema';
import { adhocRoundInput } from '../domain/round/adhoc';
import { resolveAudience } from '../domain/round/audience';
import { roundInputFromSchedule } from '../domain/round/from-schedule';
import { compiledReportWorkflowId, cycleWorkflowId, estimatesWorkflowId, programWorkflowId, roundIdOf, roundShardWorkflowId, roundWorkflowId } from '../workflows/ids';
import { estimateGroupsOf } from '../domain/cycle/estimate-groups';
import { yearlyCycleWorkflow } from '../workflows/cycle';
import { programWorkflow } from '../workflows/program';
import { roundWorkflow } from '../workflows/round';
import { WorkflowGateway } from '../app/workflow-gateway';
import { currentProgramRef, loadProgram } from '../infra/db/program-repository';
import { skeletonWorkflow, submitUpdate } from '../workflows/skeleton';
import { fetchHistory, fileNameFor, runsOfWorkflow, writeHistoryFile } from '../client/audit/history';
import { releaseLocksOfAbandonedChildren } from '../client/simulate/abandoned-children';
import { Behaviour } from '../client/simulate/behaviour';
import { createSimulationWorker, startTimeSkippingServer } from '../client/simulate/environment';
import { simulationStart } from '../client/simulate/run';
import { createSimulationWorld, type SimulationWorld } from '../client/simulate/world';
import { driveYear, newStats, skipTo } from '../client/simulate/year';

const ZONE = 'Asia/Ho_Chi_Minh';
const at = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toMillis();
const log = (line: string) => process.stderr.write(`[record] ${line}\n`);

interface Run {
  workflowId: string;
  runId?: string;
}

interface Scenario {
  name: string;
  description: string;
  startAt: (program: Program) => string;
  run(env: TestWorkflowEnvironment, world: SimulationWorld, taskQueue: string): Promise<Run[]>;
}

const scenarios: Scenario[] = [
  {
    name: 'skeleton',
    description: 'the walking skeleton: timer, activities, one accepted and one refused update',
    startAt: () => '2015-03-02T09:00:00+07:00',
    async run(env, { program }, taskQueue) {
      const agencies = program.units.slice(0, 2).map((u) => ({ id: u.id, email: u.contact.email }));
      const workflowId = 'skeleton-2015-03-02';
      const handle = await env.client.workflow.start(skeletonWorkflow, {
        taskQueue,
        workflowId,
        args: [{ programId: program.id, roundId: workflowId, agencies, openAfter: '1 day', closeAfter: '3 days' }],
      });
      await skipTo(env, at('2015-03-03T10:00'));
      await handle.executeUpdate(submitUpdate, { args: [{ agencyId: agencies[0]!.id }] });
      await handle.result();
      return [{ workflowId }];
    },
  },
  {
    name: 'round-q1',
    description: 'round 2015-Q1 for four units in two shards: on time, late, never, extended then on time',
    startAt: () => '2015-03-02T09:00:00+07:00',
    async run(env, world, taskQueue) {
      const { program } = world;
      const q1 = computeYearSchedule(program, 2015).rounds.find((r) => r.roundKey === '2015-Q1')!;
      const [onTime, late, never, extended] = reportingUnits(program).map((u) => u.id);
      // Two units per shard, so the corpus holds a round of several shards.
      const input = { ...roundInputFromSchedule(world.outline, q1, { roundId: roundIdOf(program.id, '2015-Q1') }), audience: { unitIds: [onTime!, late!, never!, extended!] }, shardSize: 2 };
      const workflowId = roundWorkflowId(input.roundId);
      const gateway = new WorkflowGateway(env.client, { db: world.db, taskQueue });
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId, args: [input] });
      await skipTo(env, at('2015-03-18T10:00'));
      await gateway.submitReport(input.roundId, { unitId: onTime!, submittedBy: `clerk@${onTime}`, reference: 'files/2015-Q1/so-tttt.pdf' });
      await skipTo(env, at('2015-03-20T10:00'));
      await gateway.extendDeadline(input.roundId, { unitId: extended!, until: '2015-04-01T00:00:00+07:00', reason: 'Đang tổng hợp số liệu quý', grantedBy: 'coordinator@so-tttt' });
      await skipTo(env, at('2015-03-27T12:00'));
      await gateway.submitReport(input.roundId, { unitId: late!, submittedBy: `clerk@${late}`, reference: 'files/2015-Q1/late.pdf', note: 'Xin lỗi vì nộp muộn' });
      await skipTo(env, at('2015-03-31T10:00'));
      await gateway.submitReport(input.roundId, { unitId: extended!, submittedBy: `clerk@${extended}`, reference: 'files/2015-Q1/extended.pdf' });
      await handle.result();
      return [{ workflowId }, { workflowId: roundShardWorkflowId(input.roundId, 1) }, { workflowId: roundShardWorkflowId(input.roundId, 2) }];
    },
  },
  {
    name: 'round-groups',
    description: 'round 2015-Q1 for five units in five shards of one, in three groups: on time, late, never, extended then on time',
    startAt: () => '2015-03-02T09:00:00+07:00',
    async run(env, world, taskQueue) {
      const { program } = world;
      const q1 = computeYearSchedule(program, 2015).rounds.find((r) => r.roundKey === '2015-Q1')!;
      const units = reportingUnits(program).slice(0, 5).map((u) => u.id);
      const [onTime, late, , extended] = units;
      // One unit per shard and two shards per group, so the corpus holds a round with groups (0.2.3).
      const input = { ...roundInputFromSchedule(world.outline, q1, { roundId: roundIdOf(program.id, '2015-Q1') }), audience: { unitIds: units }, shardSize: 1, shardGroupSize: 2 };
      const workflowId = roundWorkflowId(input.roundId);
      const gateway = new WorkflowGateway(env.client, { db: world.db, taskQueue });
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId, args: [input] });
      await skipTo(env, at('2015-03-18T10:00'));
      await gateway.submitReport(input.roundId, { unitId: onTime!, submittedBy: `clerk@${onTime}`, reference: 'files/2015-Q1/so-tttt.pdf' });
      await skipTo(env, at('2015-03-20T10:00'));
      await gateway.extendDeadline(input.roundId, { unitId: extended!, until: '2015-04-01T00:00:00+07:00', reason: 'Đang tổng hợp số liệu quý', grantedBy: 'coordinator@so-tttt' });
      await skipTo(env, at('2015-03-27T12:00'));
      await gateway.submitReport(input.roundId, { unitId: late!, submittedBy: `clerk@${late}`, reference: 'files/2015-Q1/late.pdf' });
      await skipTo(env, at('2015-03-31T10:00'));
      await gateway.submitReport(input.roundId, { unitId: extended!, submittedBy: `clerk@${extended}`, reference: 'files/2015-Q1/extended.pdf' });
      await handle.result();
      return roundAndShards(env, input.roundId);
    },
  },
  {
    name: 'adhoc',
    description: 'a standalone ad hoc round for three district committees: an extension, a second version, one silent unit',
    startAt: () => '2015-05-11T10:00:00+07:00',
    async run(env, world, taskQueue) {
      const { program } = world;
      const resolved = resolveAudience(program, { category: 'district' });
      if (!('unitIds' in resolved)) throw new Error(resolved.problem);
      const [extended, prompt, silent] = resolved.unitIds;
      const request = {
        title: 'Báo cáo đột xuất về công tác thông tin đối ngoại dịp 19/5',
        units: { unitIds: [extended!, prompt!, silent!] },
        deadline: '2015-05-23T00:00:00+07:00',
        reminderOffsets: [5, 2, 1],
        startedBy: 'coordinator@so-tttt',
      };
      const input = adhocRoundInput(world.outline, 2015, '2015-adhoc-s1', request);
      const workflowId = roundWorkflowId(input.roundId);
      const gateway = new WorkflowGateway(env.client, { db: world.db, taskQueue });
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId, args: [input] });
      await skipTo(env, at('2015-05-20T10:00'));
      await gateway.extendDeadline(input.roundId, { unitId: extended!, until: '2015-05-30T00:00:00+07:00', reason: 'Đơn vị đang tổng hợp số liệu lễ hội', grantedBy: 'coordinator@so-tttt' });
      await skipTo(env, at('2015-05-21T12:00'));
      await gateway.submitReport(input.roundId, { unitId: prompt!, submittedBy: `clerk@${prompt}`, reference: 'files/adhoc/prompt-v1.pdf' });
      await skipTo(env, at('2015-05-22T09:30'));
      await gateway.submitReport(input.roundId, { unitId: prompt!, submittedBy: `clerk@${prompt}`, reference: 'files/adhoc/prompt-v2.pdf', note: 'Bản sửa đổi' });
      await skipTo(env, at('2015-05-29T15:00'));
      await gateway.submitReport(input.roundId, { unitId: extended!, submittedBy: `clerk@${extended}`, reference: 'files/adhoc/extended.pdf' });
      await handle.result();
      return [{ workflowId }, { workflowId: roundShardWorkflowId(input.roundId, 1) }];
    },
  },
  {
    name: 'year-2015',
    description: 'the program workflow from 2015: cycle 2015 of the default program with simulated units (seed 2015)',
    startAt: (program) => simulationStart(program, 2015),
    async run(env, world, taskQueue) {
      const { program } = world;
      // The program cut to 2015 alone: one run starts that year's cycle and continues as new, the next
      // waits for the cycle's end. The cycle outlives the run that started it, so the test server's
      // leaked lock has to be released (client/simulate/abandoned-children.ts).
      const watcher = releaseLocksOfAbandonedChildren(env, [cycleWorkflowId(program.id, 2015)]);
      const oneYear = { ...program, period: { ...program.period, lastYear: 2015 } };
      await loadProgram(world.db, oneYear, { actor: 'record-histories' });
      const programRef = (await currentProgramRef(world.db, program.id))!;
      const handle = await env.client.workflow.start(programWorkflow, {
        taskQueue,
        workflowId: programWorkflowId(program.id),
        args: [{ programRef, fromYear: 2015 }],
      });
      const stats = newStats();
      const cycle = await driveYear({ env, db: world.db, program, behaviour: new Behaviour(2015), stats, progress: (l) => log(`  ${l}`) }, 2015);
      log(`  ${stats.submissions.onTime} on time, ${stats.submissions.late} late, ${stats.extensions} extensions, decisions ${JSON.stringify(stats.decisions)}`);
      await handle.result().finally(() => watcher.stop());
      // The test server cannot list workflows: the cycle's status names every round it ran.
      const runs: Run[] = [{ workflowId: cycleWorkflowId(program.id, 2015) }];
      for (const r of cycle.rounds) if (r.state === 'closed') runs.push(...(await roundAndShards(env, r.roundId)));
      for (const [i] of estimateGroupsOf(program).entries()) {
        const group = estimatesWorkflowId(program.id, 2015, i + 1);
        runs.push({ workflowId: group });
        // The revision rounds of returned estimates are the group's children.
        const { history } = await fetchHistory(env.client, group);
        for (const e of history.events ?? []) {
          const child = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
          if (child) runs.push(...(await roundAndShards(env, child.replace(/^round:/, ''))));
        }
      }
      for (const r of await runsOfWorkflow(env.client, handle.workflowId)) runs.push({ workflowId: handle.workflowId, runId: r.runId });
      return runs;
    },
  },
  {
    name: 'round-report',
    description: 'round 2015-Q1 for two units closing with its compiled report as an obligation: reminded, edited, recompiled, issued',
    startAt: () => '2015-03-02T09:00:00+07:00',
    async run(env, world, taskQueue) {
      const { program } = world;
      const q1 = computeYearSchedule(program, 2015).rounds.find((r) => r.roundKey === '2015-Q1')!;
      const [onTime, never] = reportingUnits(program).map((u) => u.id);
      const input = { ...roundInputFromSchedule(world.outline, q1, { roundId: roundIdOf(program.id, '2015-Q1') }), audience: { unitIds: [onTime!, never!] } };
      const gateway = new WorkflowGateway(env.client, { db: world.db, taskQueue });
      const reportId = `${program.id}:2015-Q1`;
      await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(input.roundId), args: [input] });
      await skipTo(env, at('2015-03-18T10:00'));
      await gateway.submitReport(input.roundId, { unitId: onTime!, submittedBy: `clerk@${onTime}`, reference: 'files/2015-Q1/on-time.pdf' });
      // The round closes at its last escalation (Mon 30 Mar 08:00) and starts its report's workflow, which
      // outlives it: the test server's leaked lock is released (client/simulate/abandoned-children.ts).
      await skipTo(env, at('2015-03-30T09:00'));
      const report = await waitFor(env, compiledReportWorkflowId(reportId));
      const watcher = releaseLocksOfAbandonedChildren(env, [report.workflowId]);
      await skipTo(env, at('2015-04-01T10:00'));
      await gateway.editCompiledReport(reportId, { conclusions: 'Các đơn vị cơ bản thực hiện đúng hạn.', by: 'coordinator@so-tttt' });
      await gateway.recompileCompiledReport(reportId, { by: 'coordinator@so-tttt' });
      await gateway.issueCompiledReport(reportId, { number: 5, signer: { title: ['GIÁM ĐỐC'], name: 'Nguyễn Văn A' }, issuedAt: '2015-04-01T10:00:00+07:00', by: 'coordinator@so-tttt' });
      await report.result();
      await watcher.stop();
      return [...(await roundAndShards(env, input.roundId)), { workflowId: report.workflowId }];
    },
  },
  {
    name: 'year-reports',
    description: 'cycle 2017 started after its deadlines: compiles the year and the sơ kết 2014–2017 and starts both as obligations; both issued',
    startAt: () => '2017-12-26T09:00:00+07:00',
    async run(env, world, taskQueue) {
      const { program } = world;
      const programRef = (await currentProgramRef(world.db, program.id))!;
      const gateway = new WorkflowGateway(env.client, { db: world.db, taskQueue });
      const cycleId = cycleWorkflowId(program.id, 2017);
      await env.client.workflow.start(yearlyCycleWorkflow, { taskQueue, workflowId: cycleId, args: [{ programRef, year: 2017 }] });
      const ids = [`${program.id}:year-2017`, `${program.id}:preliminary-review-2014-2017`];
      const reports = await Promise.all(ids.map((id) => waitFor(env, compiledReportWorkflowId(id))));
      const watcher = releaseLocksOfAbandonedChildren(env, reports.map((r) => r.workflowId));
      // (The cycle's end by polling: waiting on its result would let the server skip into the reports' reminders.)
      while ((await env.client.workflow.getHandle(cycleId).describe()).status.name === 'RUNNING') await new Promise((r) => setTimeout(r, 100));
      // The year's report (due 16 January) is reminded from 5 January and issued on the 12th; the review's
      // (due 30 January) is reminded on the 19th and issued on the 25th at the workflow's clock.
      await skipTo(env, at('2018-01-12T10:00'));
      await gateway.editCompiledReport(ids[0]!, { introduction: 'Thực hiện Quyết định số 925/QĐ-UBND, Sở TT&TT báo cáo kết quả năm 2017.', by: 'coordinator@so-tttt' });
      await gateway.recompileCompiledReport(ids[0]!, { by: 'coordinator@so-tttt' });
      await gateway.issueCompiledReport(ids[0]!, { number: 3, signer: { title: ['GIÁM ĐỐC'], name: 'Nguyễn Văn A' }, issuedAt: '2018-01-12T10:00:00+07:00', by: 'coordinator@so-tttt' });
      await reports[0]!.result();
      await skipTo(env, at('2018-01-25T10:00'));
      await gateway.issueCompiledReport(ids[1]!, { number: 9, signer: { title: ['GIÁM ĐỐC'], name: 'Nguyễn Văn A' }, by: 'coordinator@so-tttt' });
      await reports[1]!.result();
      await watcher.stop();
      return [{ workflowId: cycleId }, ...reports.map((r) => ({ workflowId: r.workflowId }))];
    },
  },
];

/** A workflow's handle once it exists (started by another workflow): polls describe, which does not skip time. */
async function waitFor(env: TestWorkflowEnvironment, workflowId: string) {
  const handle = env.client.workflow.getHandle(workflowId);
  for (let i = 0; ; i++) {
    try {
      await handle.describe();
      return handle;
    } catch (err) {
      if (i > 300) throw new Error(`workflow ${workflowId} did not start within 30 s`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * A round's workflow and its children's: its shards, or its groups of shards and theirs (its report's
 * workflow is not one of them).
 */
async function roundAndShards(env: TestWorkflowEnvironment, roundId: string): Promise<Run[]> {
  const childrenOf = async (workflowId: string): Promise<Run[]> => {
    const { history } = await fetchHistory(env.client, workflowId);
    const ids = (history.events ?? [])
      .map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId)
      .filter((id): id is string => !!id && !id.startsWith('report:'));
    const runs: Run[] = [];
    for (const id of ids) runs.push({ workflowId: id }, ...(/:group-\d+$/.test(id) ? await childrenOf(id) : []));
    return runs;
  };
  return [{ workflowId: roundWorkflowId(roundId) }, ...(await childrenOf(roundWorkflowId(roundId)))];
}

async function record(scenario: Scenario, program: Program, out: string): Promise<string[]> {
  log(`${scenario.name}: ${scenario.description}`);
  const env = await startTimeSkippingServer(scenario.startAt(program));
  const world = await createSimulationWorld(program);
  const written: string[] = [];
  try {
    const taskQueue = `record-${scenario.name}`;
    const worker = await createSimulationWorker(env, world.activities, taskQueue);
    await worker.runUntil(async () => {
      const runs = await scenario.run(env, world, taskQueue);
      for (const f of readdirSync(out).filter((f) => f.startsWith(`${scenario.name}.`) && f.endsWith('.json'))) rmSync(path.join(out, f));
      const perId = new Map<string, number>();
      for (const r of runs) perId.set(r.workflowId, (perId.get(r.workflowId) ?? 0) + 1);
      for (const r of runs) {
        const { history, runId } = await fetchHistory(env.client, r.workflowId, r.runId);
        const file = path.join(out, fileNameFor(r.workflowId, { label: scenario.name, ...((perId.get(r.workflowId) ?? 0) > 1 ? { runId } : {}) }));
        writeHistoryFile(file, history);
        written.push(file);
        log(`  wrote ${path.relative(REPO_ROOT, file)} (${history.events?.length ?? 0} events)`);
      }
    });
  } finally {
    await world.close();
    await env.teardown();
  }
  return written;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let out = path.join(REPO_ROOT, 'test/histories');
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') out = path.resolve(args[++i] ?? '');
    else if (args[i] === '--help' || args[i] === '-h') {
      process.stdout.write(`usage: npx tsx scripts/record-histories.ts [--out DIR] [${scenarios.map((s) => s.name).join('|')} ...]\n`);
      return;
    } else names.push(args[i]!);
  }
  const unknown = names.filter((n) => !scenarios.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; scenarios are ${scenarios.map((s) => s.name).join(', ')}`);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(out, { recursive: true });
  const program = loadProgramFile();
  let total = 0;
  for (const s of scenarios.filter((x) => !names.length || names.includes(x.name))) total += (await record(s, program, out)).length;
  log(`${total} histories in ${path.relative(REPO_ROOT, out) || out}; check them with: bin/kybao audit replay ${path.relative(REPO_ROOT, out) || out}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[record] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
