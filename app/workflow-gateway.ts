import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import type { DbClient } from '../infra/db/shared';
import { roundHasObligations, shardOfUnit, submissionStored } from '../infra/db/round-repository';
import { estimateGroupOf, estimateGroupsOf } from '../domain/cycle/estimate-groups';
import type { ApprovePlan, CycleStatus, DecideEstimate, EstimateState, SubmitEstimate } from '../domain/cycle/schema';
import type { Program } from '../domain/program/schema';
import type { StartAdhocRound } from '../domain/round/adhoc';
import type { ExtendDeadline, RoundInput, SubmissionReceipt, SubmitReport, UnitRoundStatus } from '../domain/round/schema';
import type { CompiledReportStatus, EditReportRequest, IssueReportRequest, RecompileReportRequest } from '../domain/compilation/obligation';
import { editReportUpdate, issueReportUpdate, recompileReportUpdate, reportStatusQuery } from '../workflows/compiled-report-messages';
import { approvePlanUpdate, cycleStatusQuery, startAdhocRoundUpdate } from '../workflows/cycle';
import { decideEstimateUpdate, estimatesStatusQuery, submitEstimateUpdate, type estimatesWorkflow } from '../workflows/estimates';
import { compiledReportWorkflowId, cycleWorkflowId, estimatesWorkflowId, roundShardWorkflowId, roundWorkflowId } from '../workflows/ids';
import { roundWorkflow } from '../workflows/round';
import { ROUND_OPENING, extendDeadlineUpdate, submitReportUpdate } from '../workflows/round-messages';
import { submissionKey } from '../domain/round/submission-key';
import { AppError } from './errors';

/**
 * The one place where kybao talks to the workflows of rounds, cycles and estimate groups: every Update
 * (submit a report, extend a deadline, start an ad hoc round, decide an estimate, approve the plan) and
 * the queries for a cycle's phase. Per-unit status is NOT read here: it comes from the database
 * (app/status.ts), because rounds shard their units over several workflows and their queries no longer
 * return per-unit data.
 *
 * A round's units are held by its shard workflows (`round:<round>:shard-<n>`); the obligation row in the
 * database names n, so a unit's Update goes straight to its shard.
 *
 * Failures become AppErrors: a validator's refusal is 'refused' with the workflow's reason; a workflow
 * that does not exist is 'not-found'; Temporal answering "busy" (RESOURCE_EXHAUSTED: more than 10
 * Updates in flight on one workflow) and a round still opening (its shards not started, or still reading
 * their units) are retried with jittered backoff for up to `busyRetryMs`, and only then 'busy'; no
 * answer within the Update timeout is 'unavailable'. A burst of submissions at the deadline therefore
 * waits a little rather than failing.
 */
export interface GatewayOptions {
  taskQueue: string;
  /** The kybao database: which shard holds a unit is read there (needed for submissions and extensions). */
  db?: DbClient;
  /** How long an Update may go unanswered (ms); KYBAO_UPDATE_TIMEOUT_SECONDS, default 60 s. */
  updateTimeoutMs?: number;
  /** How long "busy" answers are retried (ms); default 30 s. */
  busyRetryMs?: number;
  /** Told of each "busy" answer that is retried (for metrics and tests). */
  onBusy?: (workflowId: string, attempt: number) => void;
}

/** Shards a gateway remembers as started (ids of about 40 bytes: 10,000 take well under 1 MB). */
const MAX_KNOWN_SHARDS = 10_000;

export function updateTimeoutFromEnv(source: NodeJS.ProcessEnv = process.env): number {
  const s = Number(source.KYBAO_UPDATE_TIMEOUT_SECONDS ?? 60);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 60_000;
}

export class WorkflowGateway {
  private readonly updateTimeoutMs: number;
  private readonly busyRetryMs: number;
  /** Shard workflows seen with their first workflow task scheduled (scheduledItsFirstTask). */
  private readonly knownShards = new Set<string>();

  constructor(
    readonly client: Client,
    private readonly options: GatewayOptions,
  ) {
    this.updateTimeoutMs = options.updateTimeoutMs ?? updateTimeoutFromEnv();
    this.busyRetryMs = options.busyRetryMs ?? 30_000;
  }

  // ------------------------------------------------------------------------------------------ rounds

  /**
   * Submits a report to the shard of its round that holds the unit. `receivedAt` (epoch ms) is when the
   * request arrived, from the caller's clock: the round marks the report on time or late by that instant,
   * however long a burst at the deadline keeps it waiting (omitted: the workflow's own clock).
   */
  async submitReport(roundId: string, report: SubmitReport, receivedAt?: number): Promise<SubmissionReceipt> {
    const payload = receivedAt === undefined ? report : { ...report, receivedAt: new Date(receivedAt).toISOString() };
    const updateId = randomUUID();
    const receipt = await this.toHolder(roundId, report.unitId, 'the submission was', (h) => h.executeUpdate(submitReportUpdate, { args: [payload], updateId }));
    await this.stored(roundId, receipt.unitId, receipt.version);
    return receipt;
  }

  /**
   * Waits until the shard's writer has stored a receipted submission (its row is keyed by round, unit and
   * version), so that whoever reads the database next (status pages, the agency's page) sees it. The
   * receipt itself is already durable in the shard's history; after `updateTimeoutMs` without the row
   * (a worker down between the answer and the write) it is handed on anyway, and the row follows. A
   * database that fails to answer meanwhile (restarting, locked) is asked again: the receipt stands
   * whatever the read says, so an error here would only make the agency submit a second version.
   */
  private async stored(roundId: string, unitId: string, version: number): Promise<void> {
    if (!this.options.db) return;
    const idempotencyKey = submissionKey(roundId, unitId, version);
    const started = Date.now();
    for (let attempt = 0; Date.now() - started < this.updateTimeoutMs; attempt++) {
      // Plain SQL (infra/db/round-repository.ts): every receipt of a burst polls it.
      if (await submissionStored(this.options.db, idempotencyKey).catch(() => false)) return;
      await storedBackoff(attempt);
    }
  }

  /** Gives one unit a later deadline in a round (its shard moves its reminders and escalations); the unit's status after it. */
  async extendDeadline(roundId: string, extension: ExtendDeadline): Promise<UnitRoundStatus> {
    const updateId = randomUUID();
    return this.toHolder(roundId, extension.unitId, 'the extension was', (h) => h.executeUpdate(extendDeadlineUpdate, { args: [extension], updateId }));
  }

  private db(): DbClient {
    if (!this.options.db) throw new Error('this workflow gateway was built without a database; rounds need one to find the shard holding a unit');
    return this.options.db;
  }

  /** The shard workflow holding a unit's obligation (null: the unit owes nothing in that round). */
  async holderOf(roundId: string, unitId: string): Promise<string | null> {
    const shard = await shardOfUnit(this.db(), roundId, unitId);
    return shard === null ? null : roundShardWorkflowId(roundId, shard);
  }

  /**
   * An Update to the shard holding the unit, retried while the round is opening or Temporal is busy. A
   * round writes its obligations, then starts its shards, which then read their units: until then the
   * unit has no obligation row, its shard does not exist yet, or the shard answers RoundOpening.
   */
  private async toHolder<T>(roundId: string, unitId: string, what: string, send: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const workflowId = await this.holderOf(roundId, unitId);
      // Every path that does not return or throw below leaves the round opening: wait, then look again.
      if (!workflowId) {
        const known = await roundHasObligations(this.db(), roundId);
        // The round may have written its obligations (one transaction) between the two reads: the unit is
        // out of the round only if it still has no row now that the round has some.
        if (known && !(await this.holderOf(roundId, unitId))) throw new AppError('refused', `${what} refused: unit "${unitId}" is not in round ${roundId}`, 'unitId');
        if ((await this.workflowState(roundWorkflowId(roundId))) !== 'RUNNING') {
          throw new AppError('not-found', `no round ${roundId} is open; check its id with "kybao status"`, 'roundId');
        }
      } else if ((await this.scheduledItsFirstTask(workflowId)) || (await this.workflowState(roundWorkflowId(roundId))) !== 'RUNNING') {
        // (A shard missing from a round that no longer runs: the Update's not-found error explains it.)
        try {
          return await this.update(workflowId, what, () => send(this.client.workflow.getHandle(workflowId)), { keepNotFound: true, keepOpening: true });
        } catch (err) {
          const notStarted = err instanceof WorkflowNotFoundError && (await this.workflowState(roundWorkflowId(roundId))) === 'RUNNING';
          if (!notStarted && !isOpening(err)) throw err instanceof WorkflowNotFoundError ? this.explain(err, workflowId, what) : err;
        }
      }
      if (Date.now() - started > this.busyRetryMs) {
        throw new AppError('busy', `round ${roundId} is not taking submissions yet (its shards are opening or handing over to a new run); nothing was recorded, try again in a minute`);
      }
      this.options.onBusy?.(workflowId ?? roundWorkflowId(roundId), attempt + 1);
      await backoff(attempt);
    }
  }

  /**
   * Whether a shard has its first workflow task scheduled, so that an Update no longer lands in the moment
   * between a child workflow's start and that task: the server schedules it in a step of its own, and an
   * Update in between makes the task a speculative one with a 5 s schedule-to-start timeout (Temporal
   * 1.29, `SpeculativeWorkflowTaskScheduleToStartTimeout`). When a round opens, its 200 shards and their
   * first activities keep the worker busy longer than that: the task timed out, and the one the server
   * scheduled again waited behind the burst for half a minute with that shard's units (scale scenario,
   * 10,000 units, 22a0089: 3 shards, submissions up to 55 s). One describe per shard and gateway: once
   * seen, a shard stays known (at most MAX_KNOWN_SHARDS are kept).
   */
  private async scheduledItsFirstTask(workflowId: string): Promise<boolean> {
    if (this.knownShards.has(workflowId)) return true;
    let events: number;
    try {
      events = (await this.client.workflow.getHandle(workflowId).describe()).historyLength;
    } catch (err) {
      // Not started yet, or the server too busy to answer: look again after the caller's backoff.
      if (err instanceof WorkflowNotFoundError || isBusy(err)) return false;
      throw this.explain(err, workflowId, 'the request was');
    }
    if (events < 2) return false;
    if (this.knownShards.size >= MAX_KNOWN_SHARDS) this.knownShards.clear();
    this.knownShards.add(workflowId);
    return true;
  }

  /** Starts a round workflow of its own (a standalone ad hoc round); false when that id is taken. */
  async startRound(input: RoundInput): Promise<boolean> {
    const workflowId = roundWorkflowId(input.roundId);
    if ((await this.workflowState(workflowId)) !== null) return false;
    try {
      await this.client.workflow.start(roundWorkflow, { taskQueue: this.options.taskQueue, workflowId, args: [input] });
      return true;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw this.explain(err, workflowId, 'the round was');
    }
  }

  // ------------------------------------------------------------------------------------------ cycles

  /** Whether the cycle of `year` runs (RUNNING), ended, or was never started (null). */
  async cycleState(programId: string, year: number): Promise<string | null> {
    return this.workflowState(cycleWorkflowId(programId, year));
  }

  /** Starts an ad hoc round through the running cycle of its year. */
  async startAdhocInCycle(programId: string, year: number, request: StartAdhocRound): Promise<{ roundId: string; workflowId: string; units: number }> {
    const workflowId = cycleWorkflowId(programId, year);
    const updateId = randomUUID();
    return this.update(workflowId, 'the ad hoc round was', () => this.client.workflow.getHandle(workflowId).executeUpdate(startAdhocRoundUpdate, { args: [request], updateId }));
  }

  /** The approving authority approves the year's plan (the cycle refuses outside its approval phase). */
  async approvePlan(programId: string, year: number, approval: ApprovePlan): Promise<CycleStatus> {
    const workflowId = cycleWorkflowId(programId, year);
    const updateId = randomUUID();
    return this.update(workflowId, 'the approval was', () => this.client.workflow.getHandle(workflowId).executeUpdate(approvePlanUpdate, { args: [approval], updateId }));
  }

  /**
   * The cycle's phase and approval, from its query while it runs and its result once completed, with the
   * year's estimates as its estimate groups hold them (a query each while they run, their results after);
   * null when there is no cycle.
   */
  async cycleStatus(program: Program, year: number): Promise<{ status: CycleStatus & { estimates: EstimateState[] }; running: boolean } | null> {
    const workflowId = cycleWorkflowId(program.id, year);
    const handle = this.client.workflow.getHandle(workflowId);
    const state = await this.workflowState(workflowId);
    if (state === null) return null;
    if (state === 'COMPLETED') return { status: { ...((await handle.result()) as CycleStatus), estimates: await this.groupEstimates(program, year) }, running: false };
    if (state !== 'RUNNING') return null;
    const status = await this.query(handle, () => handle.query(cycleStatusQuery));
    return { status: { ...status, estimates: await this.groupEstimates(program, year) }, running: true };
  }

  // -------------------------------------------------------------------------------- estimate groups

  /** The appraiser's decision, sent to the estimate group holding the unit (or a pre-group cycle). */
  async decideEstimate(program: Program, year: number, decision: DecideEstimate): Promise<EstimateState> {
    const workflowId = estimatesWorkflowOf(program, decision.unitId, year);
    const group = this.client.workflow.getHandle(workflowId);
    try {
      const updateId = randomUUID();
      return await this.update(workflowId, 'the decision was', () => group.executeUpdate(decideEstimateUpdate, { args: [decision], updateId }), { keepNotFound: true, keepEnded: true });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const ended = (await this.workflowState(workflowId)) !== null;
    const cycleId = cycleWorkflowId(program.id, year);
    if (!ended) throw new AppError('not-found', `the decision was refused: no cycle of ${year} is running (${workflowId} does not exist)`);
    const phase = await this.client.workflow
      .getHandle(cycleId)
      .query(cycleStatusQuery)
      .then(
        (s) => `the ${year} cycle is in its ${s.phase} phase`,
        () => `the ${year} cycle has ended`,
      );
    throw new AppError('refused', `the decision was refused: estimates are decided during appraisal; ${phase} (${workflowId} has ended)`);
  }

  /** A unit's budget estimate (or its resubmission after a return), sent to the group holding the unit. */
  async submitEstimate(program: Program, year: number, estimate: SubmitEstimate): Promise<EstimateState> {
    const workflowId = estimatesWorkflowOf(program, estimate.unitId, year);
    const updateId = randomUUID();
    return this.update(workflowId, 'the estimate was', () => this.client.workflow.getHandle(workflowId).executeUpdate(submitEstimateUpdate, { args: [estimate], updateId }));
  }

  /** A unit's estimate as its group holds it now (null when it has none, or the group has ended). */
  async currentEstimate(program: Program, year: number, unitId: string): Promise<EstimateState | null> {
    const status = await this.client.workflow.getHandle(estimatesWorkflowOf(program, unitId, year)).query(estimatesStatusQuery);
    return status.estimates.find((e) => e.unitId === unitId) ?? null;
  }

  /**
   * A year's estimates as their groups hold them (at most 200 units each): a query while a group runs, its
   * result once it has ended; a group that does not exist adds nothing.
   */
  async groupEstimates(program: Program, year: number): Promise<EstimateState[]> {
    const out: EstimateState[] = [];
    for (const [i] of estimateGroupsOf(program).entries()) {
      const handle = this.client.workflow.getHandle<typeof estimatesWorkflow>(estimatesWorkflowId(program.id, year, i + 1));
      const state = await this.workflowState(handle.workflowId);
      const status = state === 'RUNNING' ? await handle.query(estimatesStatusQuery).catch(() => null) : state === 'COMPLETED' ? await handle.result().catch(() => null) : null;
      out.push(...(status?.estimates ?? []));
    }
    return out;
  }

  // ------------------------------------------------------------------------------ compiled reports

  /** The coordinator's texts into a compiled report's draft (its workflow's `report.edit`). */
  async editCompiledReport(reportId: string, request: EditReportRequest): Promise<CompiledReportStatus> {
    return this.reportUpdate(reportId, 'the edit was', (h, updateId) => h.executeUpdate(editReportUpdate, { args: [request], updateId }));
  }

  /** Issues a compiled report with its register number (`report.issue`); the workflow then sends it and completes. */
  async issueCompiledReport(reportId: string, request: IssueReportRequest): Promise<CompiledReportStatus> {
    return this.reportUpdate(reportId, 'the issue was', (h, updateId) => h.executeUpdate(issueReportUpdate, { args: [request], updateId }));
  }

  /** Compiles a draft again from the submissions now in the database (`report.recompile`). */
  async recompileCompiledReport(reportId: string, request: RecompileReportRequest): Promise<CompiledReportStatus> {
    return this.reportUpdate(reportId, 'the recompilation was', (h, updateId) => h.executeUpdate(recompileReportUpdate, { args: [request], updateId }));
  }

  /** A compiled report's workflow: its query while it runs, its result once completed; null when there is none. */
  async compiledReportStatus(reportId: string): Promise<{ status: CompiledReportStatus; running: boolean } | null> {
    const workflowId = compiledReportWorkflowId(reportId);
    const handle = this.client.workflow.getHandle(workflowId);
    const state = await this.workflowState(workflowId);
    if (state === 'RUNNING') return { status: await this.query(handle, () => handle.query(reportStatusQuery)), running: true };
    if (state === 'COMPLETED') return { status: (await handle.result()) as CompiledReportStatus, running: false };
    return null;
  }

  private reportUpdate<T>(reportId: string, what: string, send: (handle: WorkflowHandle, updateId: string) => Promise<T>): Promise<T> {
    const workflowId = compiledReportWorkflowId(reportId);
    const updateId = randomUUID();
    return this.update(workflowId, what, () => send(this.client.workflow.getHandle(workflowId), updateId));
  }

  // -------------------------------------------------------------------------------------- plumbing

  /** RUNNING / COMPLETED / … of a workflow, or null when Temporal does not know it. */
  async workflowState(workflowId: string): Promise<string | null> {
    try {
      return (await this.client.workflow.getHandle(workflowId).describe()).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw unreachable(err);
    }
  }

  /** An Update with the busy retry, the answer timeout, and failures explained. */
  private async update<T>(workflowId: string, what: string, send: () => Promise<T>, options: { keepNotFound?: boolean; keepEnded?: boolean; keepOpening?: boolean } = {}): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await within(send(), this.updateTimeoutMs, workflowId);
      } catch (err) {
        // Busy, or the server dropped the Update before answering (UNAVAILABLE "workflow update was aborted",
        // e.g. its workflow task was lost): sent again under the same Update id, so one that was in fact
        // accepted is answered from the workflow instead of applied twice.
        // No answer in time (ours, or the server's own deadline on the Update call: a starved worker, a burst):
        // sent again too while busy answers are retried, which is safe for the same reason; with the default
        // 30 s of busy retries and 60 s to answer, ours never is.
        const noAnswer = err instanceof NoAnswerError || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError;
        if ((isBusy(err) || isAborted(err) || noAnswer) && Date.now() - started < this.busyRetryMs) {
          this.options.onBusy?.(workflowId, attempt + 1);
          await backoff(attempt);
          continue;
        }
        if (isBusy(err)) throw new AppError('busy', `${workflowId} is busy with other requests; try again in a minute`, undefined, { cause: err });
        if (options.keepNotFound && err instanceof WorkflowNotFoundError && (options.keepEnded || !/already completed/i.test(err.message))) throw err;
        if (options.keepOpening && isOpening(err)) throw err;
        throw this.explain(err, workflowId, what);
      }
    }
  }

  private async query<T>(handle: WorkflowHandle, ask: () => Promise<T>): Promise<T> {
    try {
      return await within(ask(), 15_000, handle.workflowId, 'querying');
    } catch (err) {
      throw this.explain(err, handle.workflowId, 'the query was');
    }
  }

  /** The reason an Update or a start failed, in one line. */
  private explain(err: unknown, workflowId: string, what: string): Error {
    if (err instanceof AppError) return err;
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause as Error | undefined;
      return new AppError('refused', `${what} refused: ${cause?.message ?? err.message}`, undefined, { cause: err });
    }
    const msg = (err as Error)?.message ?? String(err);
    if (/already completed/i.test(msg)) return new AppError('refused', `${workflowId} has already closed; it accepts nothing more`, undefined, { cause: err });
    if (err instanceof WorkflowNotFoundError || /not found/i.test(msg)) {
      return new AppError('not-found', `no workflow ${workflowId} is running (${msg.split('\n')[0]})`, undefined, { cause: err });
    }
    return unreachable(err);
  }
}

/** Where a unit's budget estimate for a year lives: the estimate group holding the unit. */
export function estimatesWorkflowOf(program: Program, unitId: string, year: number): string {
  const group = estimateGroupOf(program, unitId);
  if (group === null) throw new AppError('refused', `unit "${unitId}" owes no budget estimate in program ${program.id}`, 'unitId');
  return estimatesWorkflowId(program.id, year, group);
}

/** A shard refusing with RoundOpening: it is still reading its units. */
export function isOpening(err: unknown): boolean {
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === ROUND_OPENING;
}

/**
 * The wait between two looks for a receipted submission's row: up to 10 ms, 20 ms, 40 ms, … (half to all
 * of it, jittered), capped at 1 s. The shard's writer usually stores it within tens of ms of the receipt
 * (one activity), so the first looks come early; the query is one indexed row, cheap
 * enough for every receipt of a burst. (It started at 50–100 ms: most receipts then waited for a row
 * stored long before.)
 */
function storedBackoff(attempt: number): Promise<void> {
  const delay = Math.min(1000, 10 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random() / 2);
  return new Promise((r) => setTimeout(r, delay));
}

/** Exponential backoff with jitter: 50 ms, 100 ms, … capped at 2 s, so a burst spreads out instead of retrying in step. */
function backoff(attempt: number): Promise<void> {
  const delay = Math.min(2000, 50 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
  return new Promise((r) => setTimeout(r, delay));
}

/**
 * The server gave up on an Update before it was answered (gRPC UNAVAILABLE), or refused it while the
 * workflow's last task had failed and waits to be retried (FAILED_PRECONDITION "Workflow Task in failed
 * state", e.g. a task that ran over its timeout on a starved worker): both pass, and the same Update id
 * is safe to send again.
 */
export function isAborted(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    const message = (e as Error).message ?? '';
    if (code === 14 || code === 'UNAVAILABLE' || /update was aborted|Workflow Task in failed state/i.test(message)) return true;
  }
  return false;
}

/** Temporal's "busy": RESOURCE_EXHAUSTED (gRPC 8), e.g. the limit on concurrent in-flight Updates. */
export function isBusy(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 8 || code === 'RESOURCE_EXHAUSTED') return true;
    if (/RESOURCE_EXHAUSTED|limit on number of concurrent in-flight updates/i.test((e as Error).message ?? '')) return true;
  }
  return false;
}

function unreachable(err: unknown): Error {
  const msg = (err as Error)?.message ?? String(err);
  // Temporal refuses payloads over its limit (2 MB by default) with a bare "Failed to start Workflow" and the
  // reason only in its cause or its log: say what was too large and what to do.
  const detail = `${msg} ${String((err as { cause?: Error })?.cause?.message ?? '')}`;
  if (/size limit|exceeds|too large|BlobSizeLimit/i.test(detail)) {
    return new AppError('refused', `Temporal refused the request as too large (${detail.trim().split('\n')[0]}): a workflow input, Update or result is over its payload limit (2 MB; kybao keeps them far under 512 KB). List at most 1,000 units in an audience, or name a rule (responsible units, a category) instead`, undefined, { cause: err });
  }
  if (/UNAVAILABLE|ECONNREFUSED|connect|DEADLINE_EXCEEDED/i.test(msg) && !(err instanceof AppError)) {
    return new AppError('unavailable', `Temporal did not answer (${msg.split('\n')[0]}); is it running?`, undefined, { cause: err });
  }
  return err instanceof Error ? err : new Error(msg);
}

/** A workflow that neither accepted nor refused an Update (or answered a query) in time. */
class NoAnswerError extends AppError {}

async function within<T>(promise: Promise<T>, ms: number, workflowId: string, doing = 'sending an update to'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new NoAnswerError(
            'unavailable',
            doing === 'querying'
              ? `querying ${workflowId}: no answer within ${ms / 1000}s; is a kybao worker running?`
              : `${workflowId} accepted nothing and refused nothing within ${ms / 1000}s: is a kybao worker running, or is the workflow stuck (see "kybao audit timeline ${workflowId}")?`,
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
