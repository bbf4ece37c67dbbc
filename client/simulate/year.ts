import { DateTime } from 'luxon';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { computeYearSchedule } from '../../domain/calendar/schedule';
import { noticeRulesOf, planNotices } from '../../domain/calendar/notices';
import type { ScheduledRound } from '../../domain/calendar/round-schedule';
import type { CycleStatus, EstimateState } from '../../domain/cycle/schema';
import { resolveAudience } from '../../domain/round/audience';
import type { Db } from '../../infra/db/client';
import { WorkflowGateway } from '../../app/workflow-gateway';
import { isLate } from '../../domain/round/lateness';
import type { Program } from '../../domain/program/schema';
import {
  approvePlanUpdate,
  cycleStatusQuery,
  startAdhocRoundUpdate,
  type yearlyCycleWorkflow,
} from '../../workflows/cycle';
import { cycleWorkflowId, roundIdOf } from '../../workflows/ids';
import { currentEstimate, decideEstimate, submitEstimate } from '../estimates';
import { formRoundKindSchema } from '../../domain/program/forms';
import type { Behaviour } from './behaviour';
import { simulateFormData } from './form-filling';
import { timed, type SimulationTimings } from './timings';

/**
 * Drives one cycle year on the time-skipping server the way people would: units submit plans and
 * reports (on time, late, after an extension, or never), the appraiser decides the estimates (some
 * returned and resubmitted), the authority approves the plan, the coordinator runs an ad hoc round.
 * Every action is an Update at a chosen instant; the server's clock is skipped to it.
 */
export interface SimulationStats {
  submissions: { onTime: number; late: number };
  extensions: number;
  decisions: { approve: number; adjust: number; return: number };
  resubmissions: number;
  adhocRounds: string[];
  /** Actions the workflows refused (a closed round, a phase already over), with the reason. */
  refused: string[];
}

export function newStats(): SimulationStats {
  return { submissions: { onTime: 0, late: 0 }, extensions: 0, decisions: { approve: 0, adjust: 0, return: 0 }, resubmissions: 0, adhocRounds: [], refused: [] };
}

export interface DriveContext {
  env: TestWorkflowEnvironment;
  /** The world's database: submissions find the shard holding their unit there. */
  db: Db;
  program: Program;
  behaviour: Behaviour;
  stats: SimulationStats;
  progress: (line: string) => void;
  /** Start an ad hoc round in Q2 (default true). */
  adhoc?: boolean;
  /** Adds clock skips and actions to these. */
  timings?: SimulationTimings;
}

interface Action {
  at: number;
  seq: number;
  label: string;
  run: () => Promise<void>;
}

const DAY = 86_400_000;
const realSleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function skipTo(env: TestWorkflowEnvironment, targetMs: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (targetMs > now) await env.sleep(targetMs - now);
}

/** Waits (in real time, the server's clock locked) until a workflow exists. */
async function waitForWorkflow(handle: WorkflowHandle, maxMs = 30_000): Promise<void> {
  const until = Date.now() + maxMs;
  for (;;) {
    try {
      await handle.describe();
      return;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) || Date.now() > until) throw err;
      await realSleep(100);
    }
  }
}

/**
 * Waits (real time, the clock locked) for the cycle to reach one of `phases`, for work the last clock
 * skip set off and the workflows are still doing. A phase that waits for simulated time (a round's
 * close moved by an extension) never comes this way: callers look again later in simulated time
 * rather than waiting long here (issue #14: these waits were most of a simulated year's wall time).
 */
async function waitForPhase(cycle: WorkflowHandle<typeof yearlyCycleWorkflow>, phases: Array<CycleStatus['phase']>, maxMs = 20_000): Promise<CycleStatus> {
  const until = Date.now() + maxMs;
  let status = await cycle.query(cycleStatusQuery);
  while (!phases.includes(status.phase) && Date.now() < until) {
    await realSleep(25);
    status = await cycle.query(cycleStatusQuery);
  }
  return status;
}

function message(err: unknown): string {
  const e = err as Error & { cause?: Error };
  if (e.name === 'AppError') return e.message.replace(/^the \w+ was refused: /, '').split('\n')[0]!;
  return (e.cause?.message ?? e.message ?? String(err)).split('\n')[0]!;
}

/** One year, as the simulation drives it. */
export async function driveYear(ctx: DriveContext, year: number): Promise<CycleStatus> {
  return (await driveYears(ctx, [year]))[0]!;
}

/**
 * Several years at once: a year's planning overlaps the year before (its plans are due in December), so
 * every year's actions go into one queue, played in time order.
 */
export async function driveYears(ctx: DriveContext, years: number[]): Promise<CycleStatus[]> {
  const { env, program, stats, progress } = ctx;
  const local = (ms: number) => DateTime.fromMillis(ms, { zone: program.timeZone });
  const cycles = years.map((y) => env.client.workflow.getHandle<typeof yearlyCycleWorkflow>(cycleWorkflowId(program.id, y)));
  await waitForWorkflow(cycles[0]!);
  const startedAt = await env.currentTimeMs();
  const queue: Action[] = [];
  let seq = 0;
  const later = (at: number, label: string, run: () => Promise<void>) => queue.push({ at, seq: seq++, label, run });
  years.forEach((y, i) => planYear(ctx, y, cycles[i]!, { later, startedAt }));

  let month = '';
  while (queue.length) {
    queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = queue.shift()!;
    if (ctx.timings) await timed(ctx.timings, 'clockSkipsMs', () => skipTo(env, next.at));
    else await skipTo(env, next.at);
    const m = local(next.at).toFormat('yyyy-MM');
    if (m !== month) {
      month = m;
      progress(`${m}  ${stats.submissions.onTime} on time, ${stats.submissions.late} late, ${stats.extensions} extension(s) so far`);
    }
    if (ctx.timings) {
      ctx.timings.actions += 1;
      await timed(ctx.timings, 'actionsMs', next.run);
    } else await next.run();
  }
  // The rest (escalations, closes, the compilation) happens on its own: wait for each year to end.
  const results: CycleStatus[] = [];
  for (const [i, cycle] of cycles.entries()) {
    await waitForWorkflow(cycle);
    const result = await cycle.result();
    progress(`cycle ${years[i]} done: phase ${result.phase}, ${result.rounds.length} rounds`);
    results.push(result);
  }
  return results;
}

/** A year's people, as actions in the shared queue; none may act before `startedAt`. */
function planYear(
  ctx: DriveContext,
  year: number,
  cycle: WorkflowHandle<typeof yearlyCycleWorkflow>,
  { later, startedAt }: { later: (at: number, label: string, run: () => Promise<void>) => void; startedAt: number },
): void {
  const { env, program, behaviour, stats, progress } = ctx;
  const zone = program.timeZone;
  const client = env.client;
  const gateway = new WorkflowGateway(client, { db: ctx.db, taskQueue: '' });
  const unitsOf = (audience: Parameters<typeof resolveAudience>[1]) => {
    const r = resolveAudience(program, audience);
    return 'unitIds' in r ? r.unitIds : [];
  };
  const schedule = computeYearSchedule(program, year);
  const local = (ms: number) => DateTime.fromMillis(ms, { zone });
  const atLocal = (ms: number, hour: number) => local(ms).set({ hour, minute: 0, second: 0, millisecond: 0 }).toMillis();
  const fmt = (ms: number) => local(ms).toFormat('yyyy-MM-dd HH:mm');

  const closeOf = (deadlineMs: number, offsets?: number[]) => {
    const plan = planNotices(deadlineMs, noticeRulesOf(program, offsets));
    return Math.max(deadlineMs, ...plan.escalations.map((e) => e.atMs));
  };

  /** One unit's behaviour in a round, as actions. */
  const planUnit = (roundId: string, key: string, unitId: string, deadlineMs: number, closeMs: number, opensMs: number, withAmount: boolean, kind: string) => {
    const choice = behaviour.choose(unitId);
    // The unit fills the form the program declares for the round's kind, if any (issue #15).
    const formKind = formRoundKindSchema.safeParse(kind);
    const form = formKind.success ? program.forms?.[formKind.data] : undefined;
    const unit = program.units.find((u) => u.id === unitId);
    const submit = (at: number) =>
      later(at, `${key} ${unitId}`, async () => {
        try {
          const receipt = await gateway.submitReport(roundId, {
            unitId,
            submittedBy: `clerk@${unitId}`,
            reference: `simulated/${key}/${unitId}.pdf`,
            ...(withAmount ? { amountVnd: behaviour.estimate() } : {}),
            ...(form && unit ? { formData: simulateFormData(program, form, unit, behaviour.seed, key) } : {}),
          });
          if (receipt.onTime) stats.submissions.onTime += 1;
          else stats.submissions.late += 1;
        } catch (err) {
          stats.refused.push(`${fmt(at)} ${key} submission of ${unitId}: ${message(err)}`);
        }
      });
    const earliest = Math.max(opensMs, startedAt) + 3_600_000;
    if (choice === 'on-time') {
      const at = atLocal(deadlineMs - behaviour.between(1, 10) * DAY, 10) + behaviour.between(0, 300) * 60_000;
      if (at > earliest && !isLate(at, deadlineMs)) submit(at);
      else if (deadlineMs - 2 * 3_600_000 > earliest) submit(deadlineMs - 2 * 3_600_000);
    } else if (choice === 'late') {
      const at = deadlineMs + behaviour.between(2, 30) * 3_600_000;
      if (at < closeMs - 3_600_000) submit(at);
    } else if (choice === 'extension') {
      const askAt = atLocal(deadlineMs - DAY, 15);
      if (askAt <= earliest) return;
      const until = local(deadlineMs).plus({ days: 7 }).startOf('day').toMillis();
      later(askAt, `${key} extension ${unitId}`, async () => {
        try {
          await gateway.extendDeadline(roundId, { unitId, until: local(until).toISO()!, reason: 'Đơn vị đề nghị gia hạn để tổng hợp số liệu', grantedBy: `coordinator@${program.coordinator}` });
          stats.extensions += 1;
          submit(atLocal(until - DAY, 10));
        } catch (err) {
          stats.refused.push(`${fmt(askAt)} ${key} extension for ${unitId}: ${message(err)}`);
        }
      });
    }
  };

  const planRound = (r: ScheduledRound, withAmount: boolean) => {
    if (r.deadlineMs <= startedAt) return;
    const roundId = roundIdOf(program.id, r.roundKey);
    const opens =
      r.kind === 'quarterly-report' && r.quarter
        ? DateTime.fromObject({ year, month: (r.quarter - 1) * 3 + 1, day: 1 }, { zone }).toMillis()
        : r.kind === 'preliminary-review' || r.kind === 'final-review'
          ? r.deadlineMs - 30 * DAY
          : startedAt;
    const closeMs = Math.max(r.deadlineMs, ...r.escalations.map((e) => e.atMs));
    for (const unitId of unitsOf({ responsible: r.responsible })) planUnit(roundId, r.roundKey, unitId, r.deadlineMs, closeMs, opens, withAmount, r.kind);
    later(closeMs + 60_000, `${r.roundKey} closed`, async () => {
      progress(`${fmt(closeMs)}  ${r.roundKey} closed (${r.kind})`);
    });
  };

  // ---- planning, appraisal, approval ----------------------------------------------------------
  const plan = schedule.rounds.find((r) => r.kind === 'annual-plan');
  const appraisal = schedule.rounds.find((r) => r.kind === 'budget-appraisal');
  const approval = schedule.rounds.find((r) => r.kind === 'plan-approval');
  if (plan) planRound(plan, true);

  /** `known`: the estimate as just read with the others (one query for the appraisal's whole batch). */
  const decide = async (unitId: string, allowReturn: boolean, at: number, known?: EstimateState) => {
    const est = known ?? (await currentEstimate(env.client, program, year, unitId));
    if (!est || est.status !== 'submitted') return;
    let d = behaviour.decision();
    if (d === 'return' && !allowReturn) d = 'approve';
    const by = `appraiser@${program.appraiser}`;
    const payload =
      d === 'approve'
        ? { decision: 'approve' as const, unitId, decidedBy: by }
        : d === 'adjust'
          ? { decision: 'adjust' as const, unitId, decidedBy: by, amountVnd: String(Math.round((Number(est.amountVnd) * 0.8) / 1_000_000) * 1_000_000), reason: 'Cắt giảm theo định mức chi' }
          : { decision: 'return' as const, unitId, decidedBy: by, reason: 'Thiếu thuyết minh chi tiết các khoản chi' };
    try {
      await decideEstimate(env.client, program, year, payload);
      stats.decisions[d] += 1;
    } catch (err) {
      stats.refused.push(`${fmt(at)} appraisal of ${unitId}: ${message(err)}`);
      return;
    }
    if (d === 'return') {
      const resubmitAt = atLocal(at + 2 * DAY, 10);
      later(resubmitAt, `estimate resubmission ${unitId}`, async () => {
        try {
          await submitEstimate(env.client, program, year, { unitId, amountVnd: String(Math.round((Number(est.amountVnd) * 0.9) / 1_000_000) * 1_000_000), submittedBy: `clerk@${unitId}` });
          stats.resubmissions += 1;
          later(atLocal(resubmitAt + DAY, 11), `re-appraisal ${unitId}`, () => decide(unitId, false, resubmitAt + DAY));
        } catch (err) {
          stats.refused.push(`${fmt(resubmitAt)} resubmission of ${unitId}: ${message(err)}`);
        }
      });
    }
  };

  if (plan && appraisal && appraisal.deadlineMs > startedAt) {
    const planClose = plan.deadlineMs > startedAt ? Math.max(plan.deadlineMs, ...plan.escalations.map((e) => e.atMs)) : startedAt;
    const appraise = (appraiseAt: number, attempt: number) =>
      later(appraiseAt, 'appraisal', async () => {
        const status = await waitForPhase(cycle, ['appraisal', 'approval', 'reporting'], attempt < 10 ? 1_000 : 20_000);
        if (status.phase === 'planning' && attempt < 20 && appraiseAt + DAY < appraisal.deadlineMs) {
          // The plan round is still open (an extension moved its close): look again the next day.
          appraise(appraiseAt + DAY, attempt + 1);
          return;
        }
        const approvePlan = (approveAt: number) => {
          if (!approval || approval.deadlineMs <= startedAt) return;
          later(approveAt, 'plan approval', async () => {
            const s = await waitForPhase(cycle, ['approval', 'reporting'], 2_000);
            if (s.phase === 'appraisal' && approveAt + DAY < approval.deadlineMs) {
              // Estimates are still being revised: the authority looks again the next day.
              approvePlan(approveAt + DAY);
              return;
            }
            if (s.phase !== 'approval') {
              stats.refused.push(`${fmt(approveAt)} plan approval: the cycle is in its ${s.phase} phase`);
              return;
            }
            try {
              await cycle.executeUpdate(approvePlanUpdate, { args: [{ approvedBy: `chu-tich@${program.approvingAuthority}` }] });
              progress(`${fmt(approveAt)}  plan ${year} approved`);
            } catch (err) {
              stats.refused.push(`${fmt(approveAt)} plan approval: ${message(err)}`);
            }
          });
        };
        if (status.phase !== 'appraisal') {
          progress(`${fmt(appraiseAt)}  appraisal: nothing to decide (cycle in ${status.phase})`);
          if (status.phase === 'approval') approvePlan(atLocal(appraiseAt + DAY, 9));
          return;
        }
        // One read of every estimate group for the whole batch, not one query per unit.
        const submitted = (await gateway.groupEstimates(program, year)).filter((e) => e.status === 'submitted');
        progress(`${fmt(appraiseAt)}  appraisal of ${submitted.length} estimates`);
        for (const est of submitted) await decide(est.unitId, true, appraiseAt, est);
        approvePlan(atLocal(appraiseAt + 6 * DAY, 9));
      });
    appraise(atLocal(planClose + DAY, 9), 0);
  }

  // ---- reports, reviews, an ad hoc round ----------------------------------------------------------
  for (const r of schedule.rounds) {
    if (r.kind === 'quarterly-report' || r.kind === 'preliminary-review' || r.kind === 'final-review') planRound(r, false);
  }
  const q2 = schedule.rounds.find((r) => r.roundKey === `${year}-Q2`);
  if (ctx.adhoc !== false && q2 && q2.deadlineMs - 20 * DAY > startedAt) {
    const startAt = atLocal(q2.deadlineMs - 20 * DAY, 9);
    later(startAt, 'ad hoc round', async () => {
      const categories = [...new Set(program.units.filter((u) => u.reports).map((u) => u.category))];
      const category = behaviour.pick(categories);
      const deadlineMs = local(startAt).plus({ days: 12 }).startOf('day').toMillis();
      try {
        const started = await cycle.executeUpdate(startAdhocRoundUpdate, {
          args: [
            {
              title: `Báo cáo đột xuất về thông tin đối ngoại (${category})`,
              units: { category },
              deadline: local(deadlineMs).toISO()!,
              reminderOffsets: [3, 1],
              startedBy: `coordinator@${program.coordinator}`,
            },
          ],
        });
        stats.adhocRounds.push(started.roundId);
        progress(`${fmt(startAt)}  ad hoc round ${started.roundId} for ${started.units} units (${category})`);
        const closeMs = closeOf(deadlineMs, [3, 1]);
        for (const unitId of unitsOf({ category })) planUnit(started.roundId, started.roundId.split(':').pop()!, unitId, deadlineMs, closeMs, startAt, false, 'adhoc');
      } catch (err) {
        stats.refused.push(`${fmt(startAt)} ad hoc round: ${message(err)}`);
      }
    });
  }
}
