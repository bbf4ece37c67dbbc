import {
  ApplicationFailure,
  ParentClosePolicy,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CompilationActivities } from '../activities/compilation';
import type { CycleActivities } from '../activities/cycle';
import type { ProgramActivities } from '../activities/program';
import type { RoundActivities } from '../activities/round';
import { computeYearSchedule } from '../domain/calendar/schedule';
import { instantAt } from '../domain/calendar/local-date';
import type { ScheduledRound } from '../domain/calendar/round-schedule';
import type { ProgramOutline, ProgramRef } from '../domain/program/outline';
import type { PeriodScope } from '../domain/compilation/obligation';
import { reviewPeriodsOf } from '../domain/compilation/review-periods';
import { yearOutcomeOf } from '../domain/cycle/outcome';
import { ESTIMATE_GROUP_SIZE, estimateGroupCount } from '../domain/cycle/estimate-groups';
import { adhocRoundInput, audienceProblemInOutline, StartAdhocRound } from '../domain/round/adhoc';
import { roundInputFromSchedule } from '../domain/round/from-schedule';
import type { RoundInput, RoundSummary } from '../domain/round/schema';
import { ApprovePlan, type CycleStatus } from '../domain/cycle/schema';
import { cycleEndedSignal } from './program-messages';
import { parsePayload, roundSummaryOf, signalIfOpen } from './cycle-helpers';
import { appraisalClosedSignal, appraisalOpenedSignal, estimatesSettledSignal, estimatesWorkflow } from './estimates';
import { compiledReportWorkflow } from './compiled-report';
import { compiledReportWorkflowId, estimatesWorkflowId, roundIdOf, roundWorkflowId } from './ids';
import { NON_RETRYABLE } from './retry';
import { roundWorkflow } from './round';
import { ROUND_OPENING } from './round-messages';

/**
 * One year of the program, in the order the decision sets: units send their annual plans with budget
 * estimates; the appraiser decides on every estimate (in the year's estimate groups; returned ones go
 * back to their unit with a new deadline until they are settled); the approving authority approves; the
 * four quarterly rounds and any review run as child rounds, next to any ad hoc rounds the coordinator
 * starts; and the year ends with the coordinator's consolidated report. Deadlines that had already
 * passed when the cycle started are "not tracked": nobody is reminded or escalated for them.
 *
 * The cycle carries its program by reference (ProgramRef) and reads the outline (calendar, rules, roles,
 * counts) through an activity; units are resolved by the rounds and estimate groups it starts, so its
 * history and every payload stay the same size for 27 units or 10,000.
 */
const acts = proxyActivities<CycleActivities & ProgramActivities & Pick<RoundActivities, 'notify'>>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: NON_RETRYABLE },
});

/**
 * The year's and the reviews' compiled drafts (issue #15; Decision 925, Art. 2.1: compiled "hằng năm",
 * and the sơ kết / tổng kết). Same policy as the round's compilation (workflows/round.ts): three
 * attempts over about half a minute, then a warning and the cycle ends anyway, the figures being safe in
 * the database; the activity is idempotent, so compiling again later stores the same draft.
 */
const compilation = proxyActivities<CompilationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE, 'CompilationInputError'] },
});
/** Cycles recorded before the year's and reviews' compilation existed replay without it (test/histories). */
export const COMPILE_YEAR_REPORTS = 'compile-year-and-review-reports';
/** Cycles recorded before the year's and reviews' reports became obligations replay without starting their workflows. */
export const START_YEAR_REPORT_OBLIGATIONS = 'start-year-and-review-report-obligations';

/** A review round opens this long before its deadline; a quarterly round opens with its quarter. */
const REVIEW_OPENS_DAYS_BEFORE = 30;

export interface CycleInput {
  programRef: ProgramRef;
  year: number;
  /** Deadlines before this instant are not tracked (default: when the cycle starts). */
  trackFrom?: string;
  /** Workflow id of the program that started this cycle: told when the cycle ends. */
  reportTo?: string;
}

export const approvePlanUpdate = defineUpdate<CycleStatus, [ApprovePlan]>('cycle.approvePlan');
export const startAdhocRoundUpdate = defineUpdate<{ roundId: string; workflowId: string; units: number }, [StartAdhocRound]>('cycle.startAdhocRound');
export const cycleStatusQuery = defineQuery<CycleStatus>('cycle.status');
/** A program that adopts a cycle it did not start asks it, with its workflow id, to report its end too. */
export const reportEndToSignal = defineSignal<[string]>('cycle.reportEndTo');

export async function yearlyCycleWorkflow(input: CycleInput): Promise<CycleStatus> {
  const { year } = input;
  const trackFrom = input.trackFrom ? Date.parse(input.trackFrom) : Date.now();
  const status: CycleStatus = {
    programId: input.programRef.programId,
    year,
    phase: 'starting',
    rounds: [],
    estimateGroups: { count: 0, settled: 0 },
    approval: null,
    compilation: null,
  };
  const running: Array<Promise<unknown>> = [];
  let adhocCount = 0;
  let adhocBusy = false;
  let appraisalRoundClosed = false;
  let approvalRoundClosed = false;
  let program: ProgramOutline | null = null;
  const settled = new Set<number>();

  setHandler(cycleStatusQuery, () => status);
  let reportTo = input.reportTo;
  setHandler(reportEndToSignal, (programWorkflowId) => {
    reportTo = programWorkflowId;
  });
  setHandler(estimatesSettledSignal, (s) => {
    settled.add(s.group);
    status.estimateGroups.settled = settled.size;
  });

  setHandler(
    approvePlanUpdate,
    (raw) => {
      const req = ApprovePlan.parse(raw);
      status.approval = { approvedBy: req.approvedBy, at: new Date().toISOString() };
      return status;
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
  // The audience is checked against the program through an activity, so the handler awaits before it
  // starts the round; ad hoc requests are therefore served one at a time (adhocBusy), and a second one
  // arriving meanwhile waits for the first to be numbered and started rather than racing it.
  setHandler(
    startAdhocRoundUpdate,
    async (raw) => {
      const req = StartAdhocRound.parse(raw);
      const p = program!;
      await condition(() => !adhocBusy);
      adhocBusy = true;
      try {
        const size = await acts.sizeOfAudience({ programRef: input.programRef, audience: req.units });
        if ('problem' in size) throw ApplicationFailure.nonRetryable(size.problem);
        if (Date.parse(req.deadline) <= Date.now()) throw ApplicationFailure.nonRetryable(`the deadline ${req.deadline} has already passed; choose a later one`);
        adhocCount += 1;
        const roundInput = adhocRoundInput(p, year, `${year}-adhoc-${adhocCount}`, req);
        status.rounds.push({ roundId: roundInput.roundId, kind: 'adhoc', title: roundInput.title, deadline: req.deadline, state: 'scheduled' });
        running.push(runRound(roundInput));
        return { roundId: roundInput.roundId, workflowId: roundWorkflowId(roundInput.roundId), units: size.units };
      } finally {
        adhocBusy = false;
      }
    },
    {
      validator: (raw) => {
        const req = parsePayload(StartAdhocRound, raw);
        if (!program) throw ApplicationFailure.create({ type: ROUND_OPENING, nonRetryable: true, message: `the ${year} cycle is still starting; try again in a moment` });
        const problem = audienceProblemInOutline(program, req.units);
        if (problem) throw ApplicationFailure.nonRetryable(problem);
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
  const p = (program = await acts.programOutline(input.programRef));
  const schedule = computeYearSchedule(p, year);
  status.rounds = schedule.rounds.map((r) => ({
    roundId: roundIdOf(p.id, r.roundKey),
    kind: r.kind,
    title: r.title,
    deadline: r.deadline,
    state: r.deadlineMs <= trackFrom ? 'not-tracked' : 'scheduled',
  }));
  status.phase = 'planning';
  const appraisalRoundId = roundIdOf(p.id, `${year}-appraisal`);
  await acts.openCycle({ programId: p.id, year, rounds: status.rounds });

  const groupCount = estimateGroupCount(p.reportingUnitCount);
  status.estimateGroups.count = groupCount;
  const groups: Array<ChildWorkflowHandle<typeof estimatesWorkflow>> = await Promise.all(
    Array.from({ length: groupCount }, (_, i) =>
      startChild(estimatesWorkflow, {
        workflowId: estimatesWorkflowId(p.id, year, i + 1),
        args: [{ programRef: input.programRef, year, group: i + 1, groupSize: ESTIMATE_GROUP_SIZE, appraisalRoundId, cycleWorkflowId: workflowInfo().workflowId }],
      }),
    ),
  );
  for (const g of groups) running.push(g.result());

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
  // Every round of the year has closed (the quarters, a review round, ad hoc and revision rounds): the
  // year's figures are final until a late report recompiles them. Each report compiled then becomes the
  // coordinator's obligation (START_YEAR_REPORT_OBLIGATIONS).
  if (patched(COMPILE_YEAR_REPORTS)) await compileYearReports();
  const { reference, roundId: compilationRoundId } = await acts.compileAnnualReport({ programId: p.id, year, rounds: status.rounds, approval: status.approval });
  status.compilation = { reference };
  await acts.notify({ roundId: compilationRoundId, kind: 'compilation', step: 0, unitIds: [p.approvingAuthority], at: new Date().toISOString() });
  status.phase = 'done';
  if (reportTo) await reportEnd(reportTo, status);
  return status;

  // ---- steps ------------------------------------------------------------------------------------
  /** The year's draft, then each review due this year (domain/compilation/review-periods.ts says over which years). */
  async function compileYearReports(): Promise<void> {
    const compiledAt = new Date().toISOString();
    const jobs: Array<{ what: string; scope: PeriodScope; run: () => Promise<{ id: string }> }> = [
      { what: `year ${year}`, scope: { kind: 'year', year }, run: () => compilation.compileYearReport({ programId: p.id, year, compiledAt }) },
      ...reviewPeriodsOf(p, year).map((r) => ({
        what: `${r.review} review ${r.fromYear}–${r.toYear}`,
        scope: { kind: 'review' as const, review: r.review, fromYear: r.fromYear, toYear: r.toYear },
        run: () => compilation.compileReviewReport({ programId: p.id, review: r.review, fromYear: r.fromYear, toYear: r.toYear, compiledAt }),
      })),
    ];
    for (const job of jobs) {
      try {
        const report = await job.run();
        if (patched(START_YEAR_REPORT_OBLIGATIONS)) await startReportObligation(report.id, job.scope);
      } catch (err) {
        // The activity's own error (e.g. "disk full") is the failure's cause; say that, not "Activity task failed".
        const cause = err instanceof Error && err.cause ? err.cause : err;
        log.warn('the year ended but a report was not compiled, or its obligation not started; compile it again by hand', { programId: p.id, report: job.what, error: String(cause) });
      }
    }
  }

  /**
   * The year's or the review's compiled report is now the coordinator's obligation, held by a workflow of
   * its own for weeks after the cycle has ended: a child abandoned when the cycle completes, as a round
   * starts its report's (workflows/round.ts). Already running (a cycle's compilation retried): left as it is.
   */
  async function startReportObligation(reportId: string, scope: PeriodScope): Promise<void> {
    try {
      await startChild(compiledReportWorkflow, {
        workflowId: compiledReportWorkflowId(reportId),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ reportId, programId: p.id, scope }],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      log.info('the compiled report workflow is already running', { reportId });
    }
  }

  async function planning(): Promise<void> {
    const plan = byKind('annual-plan');
    if (plan) await runScheduled(plan);

    status.phase = 'appraisal';
    // The estimates that came with the plans are in the database; each group reads its own.
    for (const g of groups) await g.signal(appraisalOpenedSignal);
    await appraisal();

    status.phase = 'approval';
    const approval = byKind('plan-approval');
    if (approval && approval.deadlineMs > trackFrom) {
      const handle = await startScheduled(approval);
      const closed = handle.result().then(() => (approvalRoundClosed = true));
      await condition(() => status.approval !== null || approvalRoundClosed);
      if (status.approval) {
        if (!approvalRoundClosed) {
          await signalIfOpen(handle, { unitId: p.approvingAuthority, reference: `plan-approval:${year}`, by: status.approval.approvedBy });
        }
        await acts.notify({ roundId: roundIdOf(p.id, approval.roundKey), kind: 'plan-approved', step: 0, unitIds: [], audience: { responsible: 'reporting-units' }, at: status.approval.at });
      }
      await closed;
      markRound(approval, await handle.result());
    }
  }

  /** The appraisal: the appraiser's round runs here, the decisions in the estimate groups. */
  async function appraisal(): Promise<void> {
    const round = byKind('budget-appraisal');
    if (!round || round.deadlineMs <= trackFrom) {
      await closeUnsettledGroups();
      return;
    }
    const handle = await startScheduled(round);
    const closed = handle.result().then(() => (appraisalRoundClosed = true));
    await condition(() => settled.size === groups.length || appraisalRoundClosed);
    if (!appraisalRoundClosed) {
      await signalIfOpen(handle, { unitId: p.appraiser, reference: `appraisal-summary:${year}`, by: p.appraiser });
    } else {
      await closeUnsettledGroups();
    }
    await closed;
    markRound(round, await handle.result());
    await acts.notify({ roundId: appraisalRoundId, kind: 'appraisal-summary', step: 0, unitIds: [p.approvingAuthority], at: new Date().toISOString() });
  }

  /** The appraisal's cut-off (or an appraisal never tracked): groups settle with what they have. */
  async function closeUnsettledGroups(): Promise<void> {
    for (const [i, g] of groups.entries()) {
      if (settled.has(i + 1)) continue;
      try {
        await g.signal(appraisalClosedSignal);
      } catch (err) {
        log.info('estimate group already ended', { workflowId: g.workflowId, error: String(err) });
      }
    }
    await condition(() => settled.size === groups.length);
  }

  function byKind(kind: ScheduledRound['kind']): ScheduledRound | undefined {
    return schedule.rounds.find((r) => r.kind === kind);
  }

  function inputFor(r: ScheduledRound): RoundInput {
    return roundInputFromSchedule(p, r, { roundId: roundIdOf(p.id, r.roundKey), trackFrom: new Date(trackFrom).toISOString() });
  }

  async function startScheduled(r: ScheduledRound): Promise<ChildWorkflowHandle<typeof roundWorkflow>> {
    return startRound(inputFor(r));
  }

  async function startRound(roundInput: RoundInput): Promise<ChildWorkflowHandle<typeof roundWorkflow>> {
    const handle = await startChild(roundWorkflow, { workflowId: roundWorkflowId(roundInput.roundId), args: [roundInput] });
    const summary = status.rounds.find((s) => s.roundId === roundInput.roundId);
    if (summary) summary.state = 'open';
    return handle;
  }

  async function runRound(roundInput: RoundInput): Promise<RoundSummary> {
    const handle = await startRound(roundInput);
    const result = await handle.result();
    setRoundState(roundInput.roundId, result);
    return result;
  }

  async function runScheduled(r: ScheduledRound): Promise<RoundSummary | null> {
    if (r.deadlineMs <= trackFrom) return null;
    return runRound(inputFor(r));
  }

  function markRound(r: ScheduledRound, result: RoundSummary): void {
    setRoundState(roundIdOf(p.id, r.roundKey), result);
  }

  function setRoundState(roundId: string, result: RoundSummary): void {
    const summary = status.rounds.find((s) => s.roundId === roundId);
    if (summary) Object.assign(summary, roundSummaryOf(result));
  }

  function opensAtOf(r: ScheduledRound): number {
    if (r.kind === 'quarterly-report' && r.quarter) {
      const month = String((r.quarter - 1) * 3 + 1).padStart(2, '0');
      return instantAt(`${year}-${month}-01`, '00:00', p.timeZone).toMillis();
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
