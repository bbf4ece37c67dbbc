import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { RoundActivities } from '../activities/round';
import {
  ExtendDeadline,
  RoundInput,
  type RoundStatus,
  type SubmissionReceipt,
  SubmitReport,
  describeZodError,
} from '../domain/round/schema';
import { lateness } from '../domain/round/lateness';
import { type DueAction, RoundState, type RoundStateData } from './round-state';
import { NON_RETRYABLE } from './retry';

/**
 * A reporting round: every participating unit owes one report by the deadline. The round reminds units
 * that have not submitted, marks them overdue at the deadline, escalates to the unit head and then to the
 * coordinator, accepts late submissions, moves one unit's schedule when its deadline is extended, and
 * closes when everyone has submitted or at its cut-off, persisting the result.
 *
 * Actions due at the same instant go out as one batched activity, and the workflow continues as new
 * when its history grows, so a round of thousands of units stays far below Temporal's history limits.
 */
const acts = proxyActivities<RoundActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: NON_RETRYABLE },
});

// Updates, because the caller (an agency, the coordinator) needs the answer: a receipt or the reason of a refusal.
export const submitReportUpdate = defineUpdate<SubmissionReceipt, [SubmitReport]>('round.submitReport');
export const extendDeadlineUpdate = defineUpdate<RoundStatus, [ExtendDeadline]>('round.extendDeadline');
/**
 * For the parent cycle only: marks a unit's obligation fulfilled by something that happened in the
 * parent (the appraiser deciding every estimate, the authority approving the plan). A signal, because a
 * workflow cannot send Updates, and the parent already validated the action it is reporting.
 */
export const fulfilledByParentSignal = defineSignal<[{ unitId: string; reference: string; by: string }]>('round.fulfilledByParent');
export const roundStatusQuery = defineQuery<RoundStatus>('round.status');

export async function roundWorkflow(rawInput: RoundInput, carried?: RoundStateData): Promise<RoundStatus> {
  const parsed = RoundInput.safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid round input: ${describeZodError(parsed.error)}`);
  const input = parsed.data;
  const state = carried ? new RoundState(input, carried) : RoundState.start(input, Date.now());
  let changed = false;

  setHandler(roundStatusQuery, () => state.status());

  setHandler(
    submitReportUpdate,
    async (payload) => {
      const report = SubmitReport.parse(payload);
      // An update can arrive before the round's obligations are stored; the receipt waits for them.
      await condition(() => state.data.opened);
      const unit = state.unit(report.unitId)!;
      const at = Date.now();
      const { late, lateByMs } = lateness(at, unit.dueAt);
      const { version } = await acts.recordSubmission({
        roundId: input.roundId,
        unitId: report.unitId,
        submittedBy: report.submittedBy,
        reference: report.reference,
        note: report.note,
        amountVnd: report.amountVnd,
        submittedAt: new Date(at).toISOString(),
        late,
        lateByMs,
      });
      const { onTime } = state.recordSubmission(report.unitId, version, at, report.reference, report.submittedBy, report.amountVnd);
      await acts.notify({
        roundId: input.roundId,
        kind: onTime ? 'receipt' : 'late-receipt',
        step: version,
        unitIds: [report.unitId],
        at: new Date(at).toISOString(),
      });
      changed = true;
      return { roundId: input.roundId, unitId: report.unitId, version, submittedAt: new Date(at).toISOString(), onTime, lateByMs };
    },
    {
      validator: (payload) => {
        const report = parseOrReject(SubmitReport, payload);
        rejectIfClosed(state);
        requireUnit(state, report.unitId);
      },
    },
  );

  setHandler(
    extendDeadlineUpdate,
    async (payload) => {
      const ext = ExtendDeadline.parse(payload);
      await condition(() => state.data.opened);
      const at = Date.now();
      await acts.recordExtension({ roundId: input.roundId, ...ext, grantedAt: new Date(at).toISOString() });
      state.extend(ext.unitId, Date.parse(ext.until), ext.reason, ext.grantedBy, at);
      await acts.notify({
        roundId: input.roundId,
        kind: 'extended',
        step: state.unit(ext.unitId)!.extensions.length,
        unitIds: [ext.unitId],
        at: new Date(at).toISOString(),
      });
      changed = true;
      return state.status();
    },
    {
      validator: (payload) => {
        const ext = parseOrReject(ExtendDeadline, payload);
        rejectIfClosed(state);
        const unit = requireUnit(state, ext.unitId);
        if (unit.submittedAt !== null) {
          throw ApplicationFailure.nonRetryable(`unit "${ext.unitId}" has already submitted; there is nothing to extend`);
        }
        const until = Date.parse(ext.until);
        if (until <= Date.now()) {
          throw ApplicationFailure.nonRetryable(`cannot extend into the past: ${ext.until} is before now (${new Date().toISOString()})`);
        }
        if (until <= unit.dueAt) {
          throw ApplicationFailure.nonRetryable(
            `an extension must move the deadline later: ${ext.until} is not after the current deadline ${new Date(unit.dueAt).toISOString()}`,
          );
        }
      },
    },
  );

  const pendingFulfilments: Array<{ unitId: string; reference: string; by: string }> = [];
  setHandler(fulfilledByParentSignal, (f) => {
    if (state.closed || !state.unit(f.unitId) || state.unit(f.unitId)!.submittedAt !== null) return;
    pendingFulfilments.push(f);
    changed = true;
  });

  if (!state.data.opened) {
    await acts.openRound({ input, obligations: state.status().units.map((u) => ({ unitId: u.unitId, dueAt: u.dueAt, status: u.status })) });
    const tracked = state.data.units.filter((u) => u.status !== 'not-tracked').map((u) => u.unitId);
    if (tracked.length) {
      await acts.notify({ roundId: input.roundId, kind: input.kind === 'adhoc' ? 'adhoc-announced' : 'opened', step: 0, unitIds: tracked, at: new Date().toISOString() });
    }
    state.data.opened = true;
  }

  while (!state.everyoneSubmittedOrUntracked()) {
    while (pendingFulfilments.length) {
      const f = pendingFulfilments.shift()!;
      const at = Date.now();
      const { late, lateByMs } = lateness(at, state.unit(f.unitId)!.dueAt);
      const { version } = await acts.recordSubmission({
        roundId: input.roundId,
        unitId: f.unitId,
        submittedBy: f.by,
        reference: f.reference,
        submittedAt: new Date(at).toISOString(),
        late,
        lateByMs,
      });
      state.recordSubmission(f.unitId, version, at, f.reference, f.by);
    }
    if (state.everyoneSubmittedOrUntracked()) break;
    if (workflowInfo().historyLength > input.historySoftLimit || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof roundWorkflow>(rawInput, state.data);
    }
    const now = Date.now();
    const wake = state.nextWakeUp();
    if (wake > now) {
      changed = false;
      await condition(() => changed || pendingFulfilments.length > 0 || state.everyoneSubmittedOrUntracked(), wake - now);
      continue;
    }
    const due = state.pendingActions().filter((a) => a.at <= now);
    for (const group of groupByAction(due)) {
      const first = group[0]!;
      await acts.notify({
        roundId: input.roundId,
        kind: first.kind,
        step: first.step,
        roles: first.roles,
        unitIds: group.map((a) => a.unitId),
        at: new Date(first.at).toISOString(),
      });
      state.markSent(group);
    }
    if (now >= state.data.closeAt) break;
  }

  // Let in-flight submissions finish before the round stops accepting them.
  await condition(allHandlersFinished);
  state.close(Date.now());
  const result = state.status();
  await acts.closeRound({ roundId: input.roundId, status: result });
  await acts.notify({ roundId: input.roundId, kind: 'closed', step: 0, unitIds: [input.coordinatorUnitId], at: result.closedAt! });
  return result;
}

function groupByAction(actions: DueAction[]): DueAction[][] {
  const groups = new Map<string, DueAction[]>();
  for (const a of actions) {
    const key = `${a.at}|${a.key}`;
    const group = groups.get(key);
    if (group) group.push(a);
    else groups.set(key, [a]);
  }
  return [...groups.values()];
}

function parseOrReject<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }, payload: unknown): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`malformed payload: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

function rejectIfClosed(state: RoundState): void {
  if (state.closed) {
    throw ApplicationFailure.nonRetryable(`round ${state.input.roundId} closed at ${state.status().closedAt}; it accepts nothing more`);
  }
}

function requireUnit(state: RoundState, unitId: string) {
  const unit = state.unit(unitId);
  if (!unit && !state.input.otherProgramUnitIds.includes(unitId)) {
    throw ApplicationFailure.nonRetryable(`unknown unit "${unitId}": no unit of program ${state.input.programId} has that id`);
  }
  if (!unit) throw ApplicationFailure.nonRetryable(`unit "${unitId}" is not in round ${state.input.roundId}`);
  return unit;
}
