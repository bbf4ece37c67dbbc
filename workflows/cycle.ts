import {
  ApplicationFailure,
  type ChildWorkflowHandle,
  condition,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  log,
  defineUpdate,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { CycleActivities } from '../activities/cycle';
import type { RoundActivities } from '../activities/round';
import { computeYearSchedule } from '../domain/calendar/schedule';
import { instantAt } from '../domain/calendar/local-date';
import type { ScheduledRound } from '../domain/calendar/round-schedule';
import type { Program } from '../domain/program/schema';
import { yearOutcomeOf } from '../domain/cycle/outcome';
import { applySubmission, isDecided, newEstimate } from '../domain/cycle/estimate';
import { estimateGroupOf, estimateGroupsOf, programForGroup } from '../domain/cycle/estimate-groups';
import { revisionRoundInput } from '../domain/cycle/revision';
import { adhocRoundInput, resolveAdhocUnits, StartAdhocRound } from '../domain/round/adhoc';
import { responsibleUnitIds, roundInputFromSchedule } from '../domain/round/from-schedule';
import type { RoundInput, RoundStatus } from '../domain/round/schema';
import {
  ApprovePlan,
  type CycleStatus,
  type DecideEstimate,
  type EstimateState,
  type SubmitEstimate,
} from '../domain/cycle/schema';
import { cycleEndedSignal } from './program-messages';
import { parsePayload, requireReportingUnit, roundSummaryOf, signalIfOpen } from './cycle-helpers';
import { handleEstimateUpdates, type EstimateHolder } from './estimate-actions';
import {
  appraisalClosedSignal,
  appraisalOpenedSignal,
  estimatesSettledSignal,
  estimatesWorkflow,
  type EstimatesStatus,
  type PlannedEstimate,
} from './estimates';
import { estimatesWorkflowId, roundIdOf, roundWorkflowId } from './ids';
import { NON_RETRYABLE } from './retry';
import { roundWorkflow } from './round';

/**
 * One year of the program, in the order the decision sets: units send their annual plans with budget
 * estimates; the appraiser decides on every estimate (returned ones go back to their unit with a new
 * deadline until they are settled); the approving authority approves; the four quarterly rounds and any
 * review run as child rounds, next to any ad hoc rounds the coordinator starts; and the year ends with
 * the coordinator's consolidated report. Deadlines that had already passed when the cycle started are
 * "not tracked": nobody is reminded or escalated for them.
 */
const acts = proxyActivities<CycleActivities & Pick<RoundActivities, 'notify'>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: NON_RETRYABLE },
});

/** Marks cycles whose budget estimates are held by estimate-group workflows, not by the cycle itself. */
const ESTIMATES_IN_GROUPS = 'estimates-in-groups';
/** A review round opens this long before its deadline; a quarterly round opens with its quarter. */
const REVIEW_OPENS_DAYS_BEFORE = 30;

export interface CycleInput {
  program: Program;
  year: number;
  /** Deadlines before this instant are not tracked (default: when the cycle starts). */
  trackFrom?: string;
  /** Workflow id of the program that started this cycle: told when the cycle ends. */
  reportTo?: string;
}

export const submitEstimateUpdate = defineUpdate<EstimateState, [SubmitEstimate]>('cycle.submitEstimate');
export const decideEstimateUpdate = defineUpdate<EstimateState, [DecideEstimate]>('cycle.decideEstimate');
export const approvePlanUpdate = defineUpdate<CycleStatus, [ApprovePlan]>('cycle.approvePlan');
export const startAdhocRoundUpdate = defineUpdate<{ roundId: string; workflowId: string; unitIds: string[] }, [StartAdhocRound]>(
  'cycle.startAdhocRound',
);
export const cycleStatusQuery = defineQuery<CycleStatus>('cycle.status');
/** A program that adopts a cycle it did not start asks it, with its workflow id, to report its end too. */
export const reportEndToSignal = defineSignal<[string]>('cycle.reportEndTo');

export async function yearlyCycleWorkflow(input: CycleInput): Promise<CycleStatus> {
  const { program, year } = input;
  const trackFrom = input.trackFrom ? Date.parse(input.trackFrom) : Date.now();
  const schedule = computeYearSchedule(program, year);
  const status: CycleStatus = {
    programId: program.id,
    year,
    phase: 'planning',
    rounds: schedule.rounds.map((r) => ({
      roundId: roundIdOf(program.id, r.roundKey),
      kind: r.kind,
      title: r.title,
      deadline: r.deadline,
      state: r.deadlineMs <= trackFrom ? 'not-tracked' : 'scheduled',
    })),
    estimates: [],
    approval: null,
    compilation: null,
  };
  const estimates = new Map<string, EstimateState>();
  const revisions = new Map<string, ChildWorkflowHandle<typeof roundWorkflow>>();
  const running: Array<Promise<unknown>> = [];
  let adhocCount = 0;
  let appraisalRoundClosed = false;
  let approvalRoundClosed = false;
  const appraisalRoundId = roundIdOf(program.id, `${year}-appraisal`);

  setHandler(cycleStatusQuery, () => ({ ...status, estimates: [...estimates.values()] }));
  let reportTo = input.reportTo;
  setHandler(reportEndToSignal, (programWorkflowId) => {
    reportTo = programWorkflowId;
  });

  // ---- budget estimates -------------------------------------------------------------------------
  // Held by estimate groups (workflows of at most ESTIMATE_GROUP_SIZE units each), so the cycle's history
  // does not grow with the number of units; cycles recorded before that hold them here.
  const inGroups = patched(ESTIMATES_IN_GROUPS);
  const groups = inGroups ? estimateGroupsOf(program).map((unitIds, i) => ({ group: i + 1, unitIds, workflowId: estimatesWorkflowId(program.id, year, i + 1) })) : [];
  const groupHandles = new Map<number, ChildWorkflowHandle<typeof estimatesWorkflow>>();
  const settled = new Set<number>();
  if (inGroups) {
    setHandler(estimatesSettledSignal, (s) => {
      settled.add(s.group);
      takeGroup(s);
    });
    // Clients of the time when estimates lived here are told where they live now.
    for (const update of [submitEstimateUpdate, decideEstimateUpdate]) {
      setHandler(update, () => Promise.reject(new Error('unreachable: the validator refuses every call')), {
        validator: (raw) => {
          const unitId = (raw as { unitId?: unknown } | null)?.unitId;
          const group = typeof unitId === 'string' ? estimateGroupOf(program, unitId) : null;
          if (typeof unitId === 'string') requireReportingUnit(program, unitId);
          throw ApplicationFailure.nonRetryable(
            `budget estimates of ${year} are held by ${group ? estimatesWorkflowId(program.id, year, group) : `the workflows estimates:${program.id}:${year}:<group>`}; send the update there`,
          );
        },
      });
    }
  } else {
    const holder: EstimateHolder = { acts, programId: program.id, year, appraisalRoundId, estimates, revisions, reopenForRevision };
    handleEstimateUpdates(
      holder,
      {
        requireUnit: (unitId) => requireReportingUnit(program, unitId),
        submissions: () =>
          status.phase === 'planning' || status.phase === 'appraisal'
            ? { during: status.phase }
            : { closed: `estimates for ${year} are closed: the cycle is in its ${status.phase} phase` },
        decisionsClosed: () => (status.phase === 'appraisal' ? null : `estimates are decided during appraisal; the ${year} cycle is in its ${status.phase} phase`),
      },
      { submit: submitEstimateUpdate, decide: decideEstimateUpdate },
    );
  }

  setHandler(
    approvePlanUpdate,
    (raw) => {
      const req = ApprovePlan.parse(raw);
      status.approval = { approvedBy: req.approvedBy, at: new Date().toISOString() };
      return { ...status, estimates: [...estimates.values()] };
    },
    {
      validator: (raw) => {
        parsePayload(ApprovePlan, raw);
        if (status.phase !== 'approval') {
          throw ApplicationFailure.nonRetryable(`the ${year} plan can be approved once appraisal is done; the cycle is in its ${status.phase} phase`);
        }
        if (status.approval) throw ApplicationFailure.nonRetryable(`the ${year} plan was already approved by ${status.approval.approvedBy}`);
      },
    },
  );

  // ---- ad hoc rounds ----------------------------------------------------------------------------
  setHandler(
    startAdhocRoundUpdate,
    async (raw) => {
      const req = StartAdhocRound.parse(raw);
      const resolved = resolveAdhocUnits(program, req.units) as { unitIds: string[] };
      adhocCount += 1;
      const roundInput = adhocRoundInput(program, year, `${year}-adhoc-${adhocCount}`, req, resolved.unitIds);
      status.rounds.push({ roundId: roundInput.roundId, kind: 'adhoc', title: roundInput.title, deadline: req.deadline, state: 'scheduled' });
      running.push(runRound(roundInput));
      return { roundId: roundInput.roundId, workflowId: roundWorkflowId(roundInput.roundId), unitIds: resolved.unitIds };
    },
    {
      validator: (raw) => {
        const req = parsePayload(StartAdhocRound, raw);
        const resolved = resolveAdhocUnits(program, req.units);
        if ('problem' in resolved) throw ApplicationFailure.nonRetryable(resolved.problem);
        if (Date.parse(req.deadline) <= Date.now()) {
          throw ApplicationFailure.nonRetryable(`the deadline ${req.deadline} has already passed; choose a later one`);
        }
        if (status.phase === 'compilation' || status.phase === 'done') {
          throw ApplicationFailure.nonRetryable(`the ${year} cycle is ${status.phase === 'done' ? 'over' : 'compiling its report'}; start the ad hoc round on its own`);
        }
      },
    },
  );

  // ---- the year ---------------------------------------------------------------------------------
  await acts.openCycle({ programId: program.id, year, rounds: status.rounds });
  for (const g of groups) {
    const handle = await startChild(estimatesWorkflow, {
      workflowId: g.workflowId,
      args: [{ program: programForGroup(program, g.unitIds), year, group: g.group, unitIds: g.unitIds, appraisalRoundId, cycleWorkflowId: workflowInfo().workflowId }],
    });
    groupHandles.set(g.group, handle);
    running.push(handle.result().then(takeGroup));
  }

  const reporting = Promise.all(
    schedule.rounds
      .filter((r) => r.kind === 'quarterly-report' || r.kind === 'preliminary-review' || r.kind === 'final-review')
      .map(async (r) => {
        const opensAt = opensAtOf(r);
        if (opensAt > Date.now() && r.deadlineMs > trackFrom) await sleep(opensAt - Date.now());
        await runScheduled(r);
      }),
  );

  await planning();
  status.phase = 'reporting';
  await reporting;
  // Ad hoc and revision rounds may still be running, and an ad hoc round may start while we wait.
  for (let awaited = 0; awaited < running.length; ) {
    const batch = running.slice(awaited);
    awaited = running.length;
    await Promise.all(batch);
  }

  status.phase = 'compilation';
  const { reference, roundId: compilationRoundId } = await acts.compileAnnualReport({
    programId: program.id,
    year,
    rounds: status.rounds,
    estimates: [...estimates.values()],
    approval: status.approval,
  });
  status.compilation = { reference };
  await acts.notify({ roundId: compilationRoundId, kind: 'compilation', step: 0, unitIds: [program.approvingAuthority], at: new Date().toISOString() });
  status.phase = 'done';
  const final = { ...status, estimates: [...estimates.values()] };
  if (reportTo) await reportEnd(reportTo, final);
  return final;

  // ---- steps ------------------------------------------------------------------------------------
  async function planning(): Promise<void> {
    const plan = byKind('annual-plan');
    const planResult = plan ? await runScheduled(plan) : null;
    const planned = plannedEstimatesOf(planResult);
    // Already stored as version 1 by the plan round when each unit submitted it.
    for (const p of planned) if (!estimates.has(p.unitId)) estimates.set(p.unitId, applySubmission(newEstimate(p.unitId), p));

    status.phase = 'appraisal';
    if (inGroups) await appraisalInGroups(planned);
    else await appraisalHere();

    status.phase = 'approval';
    const approval = byKind('plan-approval');
    if (approval && approval.deadlineMs > trackFrom) {
      const handle = await startScheduled(approval);
      const closed = handle.result().then(() => (approvalRoundClosed = true));
      await condition(() => status.approval !== null || approvalRoundClosed);
      if (status.approval) {
        if (!approvalRoundClosed) {
          await signalIfOpen(handle, { unitId: program.approvingAuthority, reference: `plan-approval:${year}`, by: status.approval.approvedBy });
        }
        await acts.notify({ roundId: roundIdOf(program.id, approval.roundKey), kind: 'plan-approved', step: 0, unitIds: responsibleUnitIds(program, 'reporting-units'), at: status.approval.at });
      }
      await closed;
      markRound(approval, await handle.result());
    }
  }

  /** The appraisal: the appraiser's round runs here, the decisions in the estimate groups. */
  async function appraisalInGroups(planned: PlannedEstimate[]): Promise<void> {
    for (const g of groups) {
      const members = new Set(g.unitIds);
      await groupHandles.get(g.group)!.signal(appraisalOpenedSignal, planned.filter((p) => members.has(p.unitId)));
    }
    const appraisal = byKind('budget-appraisal');
    if (!appraisal || appraisal.deadlineMs <= trackFrom) {
      await closeUnsettledGroups();
      return;
    }
    const handle = await startScheduled(appraisal);
    const closed = handle.result().then(() => (appraisalRoundClosed = true));
    await condition(() => settled.size === groups.length || appraisalRoundClosed);
    if (!appraisalRoundClosed) {
      await signalIfOpen(handle, { unitId: program.appraiser, reference: `appraisal-summary:${year}`, by: program.appraiser });
    } else {
      await closeUnsettledGroups();
    }
    await closed;
    markRound(appraisal, await handle.result());
    await acts.notify({ roundId: appraisalRoundId, kind: 'appraisal-summary', step: 0, unitIds: [program.approvingAuthority], at: new Date().toISOString() });
  }

  /** The appraisal's cut-off (or an appraisal never tracked): groups settle with what they have. */
  async function closeUnsettledGroups(): Promise<void> {
    for (const g of groups) {
      if (settled.has(g.group)) continue;
      try {
        await groupHandles.get(g.group)!.signal(appraisalClosedSignal);
      } catch (err) {
        log.info('estimate group already ended', { workflowId: g.workflowId, error: String(err) });
      }
    }
    await condition(() => settled.size === groups.length);
  }

  /** What an estimate group reports: its estimates, and the revision rounds it ran. */
  function takeGroup(s: EstimatesStatus): void {
    for (const est of s.estimates) estimates.set(est.unitId, est);
    for (const r of s.revisionRounds) {
      const line = status.rounds.find((x) => x.roundId === r.roundId);
      if (line) Object.assign(line, r);
      else status.rounds.push({ ...r });
    }
  }

  /** The appraisal as cycles recorded before estimate groups ran it: every decision in this history. */
  async function appraisalHere(): Promise<void> {
    const appraisal = byKind('budget-appraisal');
    if (appraisal && appraisal.deadlineMs > trackFrom) {
      const handle = await startScheduled(appraisal);
      const closed = handle.result().then(() => (appraisalRoundClosed = true));
      await condition(() => [...estimates.values()].every(isDecided) || appraisalRoundClosed);
      // Estimates never decided by the cut-off stay as they are; returned ones wait for their revision rounds.
      if (!appraisalRoundClosed) {
        await signalIfOpen(handle, { unitId: program.appraiser, reference: `appraisal-summary:${year}`, by: program.appraiser });
      }
      await closed;
      markRound(appraisal, await handle.result());
      for (const est of estimates.values()) if (est.status === 'returned') est.status = 'missing';
      await acts.notify({ roundId: appraisalRoundId, kind: 'appraisal-summary', step: 0, unitIds: [program.approvingAuthority], at: new Date().toISOString() });
    }
  }

  function reopenForRevision(unitId: string, attempt: number): void {
    const input = revisionRoundInput(program, year, unitId, attempt, Date.now());
    status.rounds.push({ roundId: input.roundId, kind: 'budget-revision', title: input.title, deadline: input.deadline, state: 'scheduled' });
    running.push(
      (async () => {
        const handle = await startRound(input);
        revisions.set(unitId, handle);
        const result = await handle.result();
        if (revisions.get(unitId) === handle) revisions.delete(unitId);
        setRoundState(input.roundId, result);
        // The unit may have answered on the revision round itself rather than through the cycle.
        const est = estimates.get(unitId);
        const answer = result.units[0]?.submissions.find((s) => s.amountVnd !== undefined);
        if (est && est.status === 'returned' && answer) {
          applySubmission(est, { amountVnd: answer.amountVnd!, by: answer.by, at: answer.at });
          await acts.recordEstimate({ programId: program.id, year, unitId, version: est.version, amountVnd: est.amountVnd, submittedBy: answer.by, submittedAt: answer.at });
        }
      })(),
    );
  }

  function byKind(kind: ScheduledRound['kind']): ScheduledRound | undefined {
    return schedule.rounds.find((r) => r.kind === kind);
  }

  function inputFor(r: ScheduledRound): RoundInput {
    return roundInputFromSchedule(program, r, {
      roundId: roundIdOf(program.id, r.roundKey),
      unitIds: responsibleUnitIds(program, r.responsible),
      trackFrom: new Date(trackFrom).toISOString(),
    });
  }

  async function startScheduled(r: ScheduledRound): Promise<ChildWorkflowHandle<typeof roundWorkflow>> {
    return startRound(inputFor(r));
  }

  async function startRound(input: RoundInput): Promise<ChildWorkflowHandle<typeof roundWorkflow>> {
    const handle = await startChild(roundWorkflow, { workflowId: roundWorkflowId(input.roundId), args: [input] });
    const summary = status.rounds.find((s) => s.roundId === input.roundId);
    if (summary) summary.state = 'open';
    return handle;
  }

  async function runRound(input: RoundInput): Promise<RoundStatus> {
    const handle = await startRound(input);
    const result = await handle.result();
    setRoundState(input.roundId, result);
    return result;
  }

  async function runScheduled(r: ScheduledRound): Promise<RoundStatus | null> {
    if (r.deadlineMs <= trackFrom) return null;
    const result = await runRound(inputFor(r));
    return result;
  }

  function markRound(r: ScheduledRound, result: RoundStatus): void {
    setRoundState(roundIdOf(program.id, r.roundKey), result);
  }

  function setRoundState(roundId: string, result: RoundStatus): void {
    const summary = status.rounds.find((s) => s.roundId === roundId);
    if (!summary) return;
    Object.assign(summary, roundSummaryOf(result));
  }

  function opensAtOf(r: ScheduledRound): number {
    if (r.kind === 'quarterly-report' && r.quarter) {
      const month = String((r.quarter - 1) * 3 + 1).padStart(2, '0');
      return instantAt(`${year}-${month}-01`, '00:00', program.timeZone).toMillis();
    }
    return r.deadlineMs - REVIEW_OPENS_DAYS_BEFORE * 86_400_000;
  }
}

/**
 * Tells the program (its current run, whichever that is) that this year has ended. A program that was
 * terminated meanwhile is nobody to tell, which must not fail the year.
 */
async function reportEnd(programWorkflowId: string, final: CycleStatus): Promise<void> {
  try {
    await getExternalWorkflowHandle(programWorkflowId).signal(cycleEndedSignal, yearOutcomeOf(final));
  } catch (err) {
    log.warn('program not running; cycle end not reported', { programWorkflowId, year: final.year, error: String(err) });
  }
}

/** The estimates that came with the plans: each unit's latest plan submission that carried an amount. */
function plannedEstimatesOf(planResult: RoundStatus | null): PlannedEstimate[] {
  const planned: PlannedEstimate[] = [];
  for (const unit of planResult?.units ?? []) {
    const latest = [...unit.submissions].reverse().find((s) => s.amountVnd !== undefined);
    if (latest) planned.push({ unitId: unit.unitId, amountVnd: latest.amountVnd!, by: latest.by, at: latest.at });
  }
  return planned;
}
