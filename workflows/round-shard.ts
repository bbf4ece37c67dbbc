import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { RoundActivities } from '../activities/round';
import type { SubmissionWrite } from '../activities/round-types';
import {
  ExtendDeadline,
  MAX_ARRIVAL_AGE_MS,
  MAX_ARRIVAL_SKEW_MS,
  ShardInput,
  SubmitReport,
  describeZodError,
  emptyCounts,
  type ShardResult,
} from '../domain/round/schema';
import {
  ROUND_OPENING,
  dueInstantSignal,
  extendDeadlineUpdate,
  fulfilledByParentSignal,
  shardStatusQuery,
  submitReportUpdate,
} from './round-messages';
import { NON_RETRYABLE } from './retry';
import { ShardState, type DueAction, type ShardStateData } from './shard-state';
import { WriteQueue, runsBy } from './write-queue';
import { quoted } from '../domain/text/quoted';
import { receiptNotices } from '../domain/round/receipt-notices';

/**
 * One shard of a reporting round: the obligations of at most the round's shard size of units. It reads its
 * units from the database (the round wrote them when it opened), announces the round to them, reminds the
 * units that have not submitted, marks them overdue at the deadline, escalates to each unit's head, takes
 * submissions (late ones marked late) and extensions, and closes when all its units have submitted or at
 * its cut-off, storing who is missing.
 *
 * Every Update handler changes the state before its first await and queues its writes (WriteQueue), so
 * two Updates can never both pass a validator that only one of them should pass; a receipt is answered
 * from the workflow task that accepts it and stored by the writer moments later. Actions due at one
 * instant go out as one batched activity; the shard continues as new when its history grows, refusing new
 * Updates as "opening" (clients send them again) while the writes already decided drain.
 */
const acts = proxyActivities<RoundActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: NON_RETRYABLE },
});

/**
 * The patch that makes a shard refuse new Updates while it hands over to its next run. Without it, a steady
 * stream of submissions kept the writer busy and the run never continued as new (histories recorded before
 * 0.2.1 replay without it).
 */
const SHARD_HANDOVER = 'shard-handover-before-continue-as-new';

/**
 * The patch that keeps the shard's timer running when a unit submits. A submission only takes its unit's
 * reminders off the plan, so the next wake-up can only move later; re-arming the timer cost two events a
 * submission. Extensions still wake the loop (a later deadline re-plans the unit's notices). Histories
 * recorded before 0.2.2 replay without it.
 */
const SHARD_KEEPS_TIMER = 'shard-keeps-timer-on-submission';

/**
 * The patch that makes `recordSubmissions` queue the receipts of the submissions it stores, instead of a
 * `notify` activity after it: one activity and one workflow task fewer for every write (six events). With
 * SHARD_KEEPS_TIMER, a lone submission costs 11 events instead of 19. Histories recorded before 0.2.2
 * replay without it.
 */
const RECEIPTS_WITH_WRITES = 'shard-receipts-with-writes';

/** Writes batched into one activity: a burst of submissions at the deadline costs a few activities. */
const WRITE_BATCH = 100;

type Write =
  | { kind: 'submission'; submission: SubmissionWrite; receipt: boolean }
  | { kind: 'extension'; unitId: string; until: string; reason: string; grantedBy: string; grantedAt: string; step: number };

export async function roundShardWorkflow(rawInput: ShardInput, carried?: ShardStateData): Promise<ShardResult> {
  const parsed = ShardInput.safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid shard input: ${describeZodError(parsed.error)}`);
  const input = parsed.data;
  const writes = new WriteQueue<Write>();
  let state: ShardState | null = carried ? new ShardState(input, carried) : null;
  let closing = false;
  let handingOver = false;
  let changed = false;
  let extended = false;

  setHandler(shardStatusQuery, () => {
    if (!state) return { roundId: input.roundId, shard: input.shard, phase: 'opening', closeAt: null, closedAt: null, counts: emptyCounts(), units: [] };
    return state.status(state.closed ? 'closed' : 'open');
  });

  setHandler(
    submitReportUpdate,
    (payload) => {
      const report = SubmitReport.parse(payload);
      const s = state!;
      const at = report.receivedAt ? Date.parse(report.receivedAt) : Date.now();
      const r = s.recordSubmission(report.unitId, at, report.reference, report.submittedBy, report.amountVnd);
      changed = true;
      const submittedAt = new Date(at).toISOString();
      // The receipt is answered from this workflow task: once the Update completes, the submission is in the
      // round's history (durable), and the writer stores it in the database moments later, in order. Not
      // waiting for the write keeps each Update in flight for one workflow task, so a burst at the deadline
      // neither fills the 10-Update limit nor races activity completions (which makes Temporal drop the
      // task and the worker replay the whole history). The gateway hands the receipt on once the row is there.
      void writes.push({
        kind: 'submission',
        receipt: true,
        submission: {
          unitId: report.unitId,
          version: r.version,
          submittedBy: report.submittedBy,
          reference: report.reference,
          ...(report.note !== undefined ? { note: report.note } : {}),
          ...(report.amountVnd !== undefined ? { amountVnd: report.amountVnd } : {}),
          ...(report.formData !== undefined ? { formData: report.formData } : {}),
          submittedAt,
          late: !r.onTime,
          lateByMs: r.lateByMs,
        },
      });
      return { roundId: input.roundId, unitId: report.unitId, version: r.version, submittedAt, dueAt: new Date(r.dueAt).toISOString(), onTime: r.onTime, lateByMs: r.lateByMs };
    },
    {
      validator: (payload) => {
        const report = parseOrReject(SubmitReport, payload);
        const s = requireOpen();
        requireUnit(s, report.unitId);
        if (report.receivedAt) {
          const at = Date.parse(report.receivedAt);
          const now = Date.now();
          if (at > now + MAX_ARRIVAL_SKEW_MS) {
            throw ApplicationFailure.nonRetryable(`receivedAt ${report.receivedAt} lies ahead of the round's clock (${new Date(now).toISOString()}); check the sender's clock`);
          }
          if (at < now - MAX_ARRIVAL_AGE_MS) {
            throw ApplicationFailure.nonRetryable(`the submission arrived at ${report.receivedAt}, more than ${MAX_ARRIVAL_AGE_MS / 60_000} minutes ago; submit it again`);
          }
        }
      },
    },
  );

  setHandler(
    extendDeadlineUpdate,
    async (payload) => {
      const ext = ExtendDeadline.parse(payload);
      const s = state!;
      const at = Date.now();
      s.extend(ext.unitId, Date.parse(ext.until), ext.reason, ext.grantedBy, at);
      changed = true;
      extended = true;
      const unit = s.unit(ext.unitId)!;
      await writes.push({ kind: 'extension', unitId: ext.unitId, until: new Date(unit.dueAt).toISOString(), reason: ext.reason, grantedBy: ext.grantedBy, grantedAt: new Date(at).toISOString(), step: unit.extensions.length });
      return s.unitStatus(unit);
    },
    {
      validator: (payload) => {
        const ext = parseOrReject(ExtendDeadline, payload);
        const s = requireOpen();
        const unit = requireUnit(s, ext.unitId);
        if (unit.submittedAt !== null) {
          throw ApplicationFailure.nonRetryable(`unit "${ext.unitId}" has already submitted; there is nothing to extend`);
        }
        const until = Date.parse(ext.until);
        if (until <= Date.now()) {
          throw ApplicationFailure.nonRetryable(`cannot extend into the past: ${ext.until} is before now (${new Date().toISOString()})`);
        }
        if (until <= unit.dueAt) {
          throw ApplicationFailure.nonRetryable(
            `an extension must move the deadline later: ${ext.until} is not after the deadline in force ${new Date(unit.dueAt).toISOString()}`,
          );
        }
      },
    },
  );

  setHandler(fulfilledByParentSignal, (f) => {
    const s = state;
    const unit = s?.unit(f.unitId);
    if (!s || closing || !unit || unit.submittedAt !== null) return;
    const at = Date.now();
    const r = s.recordSubmission(f.unitId, at, f.reference, f.by);
    changed = true;
    void writes.push({
      kind: 'submission',
      receipt: false,
      submission: { unitId: f.unitId, version: r.version, submittedBy: f.by, reference: f.reference, submittedAt: new Date(at).toISOString(), late: !r.onTime, lateByMs: r.lateByMs },
    });
  });

  // The writer: one loop, so writes reach the database in the order the handlers decided them.
  let stopWriting = false;
  const writer = (async () => {
    for (;;) {
      await condition(() => writes.pending > 0 || stopWriting);
      if (writes.pending === 0) return;
      const batch = writes.take(WRITE_BATCH);
      const receiptsWithWrites = patched(RECEIPTS_WITH_WRITES);
      for (const run of runsBy(batch, (b) => b.write.kind)) {
        const first = run[0]!.write;
        if (first.kind === 'submission') {
          const submissions = run.map((b) => {
            const w = b.write as Extract<Write, { kind: 'submission' }>;
            return receiptsWithWrites && w.receipt ? { ...w.submission, receipt: true } : w.submission;
          });
          await acts.recordSubmissions({ roundId: input.roundId, submissions });
        } else {
          for (const { write } of run) {
            const w = write as Extract<Write, { kind: 'extension' }>;
            await acts.recordExtension({ roundId: input.roundId, unitId: w.unitId, until: w.until, reason: w.reason, grantedBy: w.grantedBy, grantedAt: w.grantedAt });
          }
        }
        for (const b of run) b.done();
      }
      await sendNoticesFor(batch.map((b) => b.write), { receipts: !receiptsWithWrites });
    }
  })();

  if (!state) {
    const units = await acts.loadShard({ roundId: input.roundId, shard: input.shard });
    state = ShardState.start(input, units);
  }
  const s = state;

  if (!s.data.announced) {
    const tracked = s.data.units.filter((u) => u.status !== 'not-tracked').map((u) => u.unitId);
    if (tracked.length) {
      await acts.notify({ roundId: input.roundId, kind: input.kind === 'adhoc' ? 'adhoc-announced' : 'opened', step: 0, unitIds: tracked, at: input.trackFrom });
    }
    s.data.announced = true;
  }

  while (!s.everyoneSubmittedOrUntracked()) {
    if (mustContinueAsNew()) {
      // Updates accepted in this run finish here (their writes too); later ones are refused as "opening"
      // until the next run takes them. Accepting them here would queue writes as fast as the writer
      // stores them, and under a steady stream the run would never hand over.
      if (patched(SHARD_HANDOVER)) handingOver = true;
      await condition(allHandlersFinished);
      stopWriting = true;
      await writer;
      return continueAsNew<typeof roundShardWorkflow>(rawInput, s.data);
    }
    const now = Date.now();
    const wake = s.nextWakeUp();
    if (wake > now) {
      if (patched(SHARD_KEEPS_TIMER)) {
        // The loop also wakes for a history grown past its limit, which a stream of submissions alone
        // would otherwise only notice at the next reminder.
        extended = false;
        await condition(() => extended || s.everyoneSubmittedOrUntracked() || mustContinueAsNew(), wake - now);
      } else {
        changed = false;
        await condition(() => changed || s.everyoneSubmittedOrUntracked(), wake - now);
      }
      continue;
    }
    const due = s.pendingActions().filter((a) => a.at <= now);
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
      s.markSent(group);
    }
    if (now >= s.data.closeAt) break;
  }

  // Submissions already accepted finish (their writes included) before the shard stops taking any.
  closing = true;
  await condition(allHandlersFinished);
  stopWriting = true;
  await writer;
  const closedAt = Date.now();
  const missing = s.close(closedAt);
  await acts.closeShard({ roundId: input.roundId, shard: input.shard, missing, closedAt: new Date(closedAt).toISOString() });
  return { shard: input.shard, closedAt: new Date(closedAt).toISOString(), counts: s.counts() };

  function requireOpen(): ShardState {
    if (!state) throw ApplicationFailure.create({ type: ROUND_OPENING, nonRetryable: true, message: `round ${input.roundId} is still opening; try again in a moment` });
    if (state.closed || closing) {
      throw ApplicationFailure.nonRetryable(`round ${input.roundId} is closed; it accepts nothing more`);
    }
    if (handingOver) {
      throw ApplicationFailure.create({ type: ROUND_OPENING, nonRetryable: true, message: `round ${input.roundId} (shard ${input.shard}) is handing over to its next run; try again in a moment` });
    }
    return state;
  }

  function requireUnit(st: ShardState, unitId: string) {
    const unit = st.unit(unitId);
    if (!unit) throw ApplicationFailure.nonRetryable(`unit ${quoted(unitId)} is not in round ${input.roundId} (shard ${input.shard})`);
    return unit;
  }

  function mustContinueAsNew(): boolean {
    const info = workflowInfo();
    return info.historyLength > input.historySoftLimit || info.continueAsNewSuggested;
  }

  /**
   * Extension notices once the writes are stored (an extension also tells the round), and receipts where
   * `recordSubmissions` did not queue them itself (histories recorded before RECEIPTS_WITH_WRITES).
   */
  async function sendNoticesFor(written: Write[], { receipts }: { receipts: boolean }): Promise<void> {
    if (receipts) {
      const stored = written.flatMap((w) => (w.kind === 'submission' && w.receipt ? [w.submission] : []));
      for (const n of receiptNotices(stored)) await acts.notify({ roundId: input.roundId, ...n });
    }
    for (const w of written) {
      if (w.kind !== 'extension') continue;
      await acts.notify({ roundId: input.roundId, kind: 'extended', step: w.step, unitIds: [w.unitId], at: w.grantedAt });
      try {
        await getExternalWorkflowHandle(input.roundWorkflowId).signal(dueInstantSignal, { dueAt: w.until });
      } catch (err) {
        log.warn('round not running; new deadline instant not reported', { roundWorkflowId: input.roundWorkflowId, error: String(err) });
      }
    }
  }
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
