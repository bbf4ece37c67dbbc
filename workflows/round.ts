import {
  ApplicationFailure,
  ParentClosePolicy,
  condition,
  sleep,
  log,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { CompilationActivities } from '../activities/compilation';
import type { RoundActivities } from '../activities/round';
import type { EscalationRole } from '../domain/program/schema';
import { planActions } from '../domain/round/plan';
import { RoundInput, addCounts, describeZodError, emptyCounts, ratesOf, type RoundSummary, type ShardGroupInput, type ShardInput, type StatusCounts } from '../domain/round/schema';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { compiledReportWorkflow } from './compiled-report';
import { compiledReportWorkflowId, roundShardGroupWorkflowId, roundShardWorkflowId, roundWorkflowId } from './ids';
import { dueInstantSignal, fulfilledByParentSignal, roundStatusQuery } from './round-messages';
import { NON_RETRYABLE } from './retry';
import { roundShardWorkflow } from './round-shard';
import { roundShardGroupWorkflow } from './round-shard-group';
import { passOnFulfilments } from './pass-on-fulfilments';

export { submitReportUpdate, extendDeadlineUpdate, roundStatusQuery, shardStatusQuery, fulfilledByParentSignal } from './round-messages';

/**
 * A reporting round: every unit its audience names owes one report by the deadline.
 *
 * The round opens (its obligations are written to the database, cut into shards of at most `shardSize`
 * units), starts one shard workflow per shard, which does everything per unit (notices, reminders, overdue
 * marks, escalation to the unit's head, submissions, extensions), and sends itself what is addressed above
 * the units: at each escalation step for the coordinator and the escalation recipients, one digest listing
 * every unit still owing its report at that deadline. When every shard has closed, the round stores its
 * counts and tells the coordinator. Its history holds about 3.6 events per child it awaits (a shard's is
 * bounded by its 50 units: about 575 events when each submission arrives alone). Up to 1,000 units (20
 * shards) those children are the shards; with more, they are groups of 20 shards
 * (workflows/round-shard-group.ts; `patched('round-shard-groups')`), so the round's history no longer grows
 * with its units: without groups it was the largest of a 10,000-unit round, 723 events (bench, 0.2.2).
 */
const acts = proxyActivities<RoundActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: [...NON_RETRYABLE, 'AudienceProblem'] },
});

/**
 * The compiled draft of a closed round (issue #15). A compilation that fails must not fail the round, whose
 * figures are already stored: three attempts over about half a minute cover a busy database or a file
 * system hiccup; after that the round logs the failure (with the round id) and closes without a draft.
 * The activity is idempotent, so running it again later stores the same draft; a command for that, and
 * recompiling when a late report arrives, are still to come.
 */
const compilation = proxyActivities<CompilationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE, 'CompilationInputError'] },
});

/** Rounds whose units fill a report form that the coordinator compiles for UBND tỉnh (Decision 925, Art. 2.1). */
const COMPILED_ON_CLOSE: ReadonlySet<string> = new Set(['quarterly-report', 'adhoc']);
/** Rounds recorded before the compilation existed replay without it (test/histories). */
export const COMPILE_ROUND_REPORT_ON_CLOSE = 'compile-round-report-on-close';
/** Rounds recorded before the compiled report became an obligation replay without starting its workflow. */
export const START_REPORT_OBLIGATION_ON_CLOSE = 'start-report-obligation-on-close';
/** Rounds of more shards than `shardGroupSize` recorded before groups existed replay awaiting every shard themselves. */
export const ROUND_SHARD_GROUPS = 'round-shard-groups';

const ABOVE: EscalationRole[] = ['coordinator', 'escalation-recipients', 'approving-authority'];

export async function roundWorkflow(rawInput: RoundInput): Promise<RoundSummary> {
  const parsed = RoundInput.safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid round input: ${describeZodError(parsed.error)}`);
  const input = parsed.data;
  const trackFrom = input.trackFrom ? Date.parse(input.trackFrom) : Date.now();
  const summary: RoundSummary = {
    roundId: input.roundId,
    kind: input.kind,
    title: input.title,
    deadline: input.deadline,
    phase: 'opening',
    unitCount: 0,
    shards: 0,
    shardsClosed: 0,
    closedAt: null,
    counts: null,
    completionRate: null,
    timelinessRate: null,
  };
  setHandler(roundStatusQuery, () => summary);

  const fulfilments: Array<{ unitId: string; reference: string; by: string }> = [];
  setHandler(fulfilledByParentSignal, (f) => void fulfilments.push(f));
  // Deadline instants in force somewhere in the round: the round's own, and every extension's.
  const dueInstants = new Set<number>([Date.parse(input.deadline)]);
  let dueChanged = false;
  setHandler(dueInstantSignal, ({ dueAt }) => {
    const ms = Date.parse(dueAt);
    if (!dueInstants.has(ms)) {
      dueInstants.add(ms);
      dueChanged = true;
    }
  });

  const opened = await acts.openRound({ input, trackFrom: new Date(trackFrom).toISOString() });
  summary.unitCount = opened.unitCount;
  summary.shards = opened.shards;
  summary.phase = 'open';

  // What each child (a shard, or a group of shards) reports when it closes.
  const results: Array<{ shards: number; closedAt: string; counts: StatusCounts }> = [];
  // Started together: one workflow task issues every child's start command. (Only a round that has groups
  // asks for the patch, so the histories of smaller rounds are the same as before.)
  const grouped = opened.shards > input.shardGroupSize && patched(ROUND_SHARD_GROUPS);
  const handles: Array<ChildWorkflowHandle<typeof roundShardWorkflow> | ChildWorkflowHandle<typeof roundShardGroupWorkflow>> = grouped
    ? await Promise.all(
        Array.from({ length: Math.ceil(opened.shards / input.shardGroupSize) }, (_, i) =>
          startChild(roundShardGroupWorkflow, { workflowId: roundShardGroupWorkflowId(input.roundId, i + 1), args: [groupInput(i + 1)] }),
        ),
      )
    : await Promise.all(
        Array.from({ length: opened.shards }, (_, i) =>
          startChild(roundShardWorkflow, { workflowId: roundShardWorkflowId(input.roundId, i + 1), args: [shardInput(i + 1)] }),
        ),
      );
  for (const handle of handles) {
    void handle.result().then((r) => {
      results.push({ shards: 'group' in r ? r.shards : 1, closedAt: r.closedAt, counts: r.counts });
      summary.shardsClosed = results.reduce((n, x) => n + x.shards, 0);
    });
  }

  // Digests addressed above the units, at each escalation step of each deadline instant in force.
  const digested = new Set<string>();
  let alarm: { at: number; rang: boolean } | null = null;
  const alarmAt = (at: number) => {
    const a = { at, rang: false };
    void sleep(Math.max(1, at - Date.now())).then(() => void (a.rang = true));
    return a;
  };
  const nextDigest = () => {
    let next: { key: string; dueAt: number; at: number; step: number; roles: EscalationRole[] } | null = null;
    for (const dueAt of dueInstants) {
      for (const a of planActions(dueAt, input.rules)) {
        const roles = a.roles.filter((r) => ABOVE.includes(r));
        const key = `${dueAt}|${a.key}`;
        if (a.kind !== 'escalation' || !roles.length || a.at < trackFrom || digested.has(key)) continue;
        if (!next || a.at < next.at) next = { key, dueAt, at: a.at, step: a.step, roles };
      }
    }
    return next;
  };
  const sendDigestsDue = async (upTo: number) => {
    for (let d = nextDigest(); d && d.at <= upTo; d = nextDigest()) {
      await acts.notifyEscalationDigest({ roundId: input.roundId, step: d.step, roles: d.roles, dueAt: new Date(d.dueAt).toISOString(), at: new Date(d.at).toISOString() });
      digested.add(d.key);
    }
  };

  while (results.length < handles.length) {
    await passOnFulfilments(fulfilments, handles);
    await sendDigestsDue(Date.now());
    const next = nextDigest();
    dueChanged = false;
    // The alarm for the next digest is a timer that is never cancelled: a shard closes at its last escalation,
    // which is often this very instant, and a timer cancelled as it fires is refused by the time-skipping server.
    if (next && alarm?.at !== next.at) alarm = alarmAt(next.at);
    const wake = () => results.length === handles.length || fulfilments.length > 0 || dueChanged || (next !== null && alarm!.rang);
    await condition(wake);
  }
  // A shard closes at its last escalation at the earliest, so a digest planned for that instant is still due.
  await sendDigestsDue(Math.max(...results.map((r) => Date.parse(r.closedAt)), Date.now()));

  const counts = results.reduce((sum, r) => addCounts(sum, r.counts), emptyCounts());
  Object.assign(summary, { phase: 'closed', closedAt: new Date().toISOString(), counts, ...ratesOf(counts) });
  await acts.closeRound({ roundId: input.roundId, summary });
  await acts.notify({ roundId: input.roundId, kind: 'closed', step: 0, unitIds: [input.coordinatorUnitId], at: summary.closedAt! });
  if (COMPILED_ON_CLOSE.has(input.kind) && patched(COMPILE_ROUND_REPORT_ON_CLOSE)) {
    try {
      // The activity stores the draft and where its .docx and .xlsx are (CompiledReport), which the CLI reads.
      const report = await compilation.compileRoundReport({ programId: input.programRef.programId, roundId: input.roundId, compiledAt: summary.closedAt! });
      if (patched(START_REPORT_OBLIGATION_ON_CLOSE)) await startReportObligation(report.id);
    } catch (err) {
      log.warn('the round closed but its report was not compiled, or its obligation not started; compile it again by hand', { roundId: input.roundId, error: String(err) });
    }
  }
  return summary;

  /**
   * The compiled report is now the coordinator's obligation, held by a workflow of its own for weeks after
   * the round has closed: a child (its start is in this history, its id is the report's), abandoned when
   * the round completes, so it keeps running. Rather than an activity starting it: a child start is
   * recorded and deterministic, and needs no Temporal client in the activities.
   */
  async function startReportObligation(reportId: string): Promise<void> {
    try {
      await startChild(compiledReportWorkflow, {
        workflowId: compiledReportWorkflowId(reportId),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ reportId, programId: input.programRef.programId, roundId: input.roundId }],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      log.info('the compiled report workflow is already running', { reportId });
    }
  }

  function groupInput(group: number): ShardGroupInput {
    const firstShard = (group - 1) * input.shardGroupSize + 1;
    const { roundId, shard: _shard, ...shared } = shardInput(firstShard);
    return { roundId, group, firstShard, lastShard: Math.min(group * input.shardGroupSize, opened.shards), shard: shared };
  }

  function shardInput(shard: number): ShardInput {
    return {
      roundId: input.roundId,
      shard,
      kind: input.kind,
      coordinatorUnitId: input.coordinatorUnitId,
      deadline: input.deadline,
      ...(input.closeAt ? { closeAt: input.closeAt } : {}),
      trackFrom: new Date(trackFrom).toISOString(),
      rules: input.rules,
      historySoftLimit: input.historySoftLimit,
      roundWorkflowId: roundWorkflowId(input.roundId),
    };
  }
}
