import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { estimateGroupOf, estimateGroupsOf } from '../domain/cycle/estimate-groups';
import type { ApprovePlan, CycleStatus, DecideEstimate, EstimateState, SubmitEstimate } from '../domain/cycle/schema';
import type { Program } from '../domain/program/schema';
import type { StartAdhocRound } from '../domain/round/adhoc';
import type { ExtendDeadline, RoundInput, SubmissionReceipt, SubmitReport } from '../domain/round/schema';
import { approvePlanUpdate, cycleStatusQuery, decideEstimateUpdate as decideInCycle, startAdhocRoundUpdate } from '../workflows/cycle';
import { decideEstimateUpdate, estimatesStatusQuery, submitEstimateUpdate } from '../workflows/estimates';
import { cycleWorkflowId, estimatesWorkflowId, roundWorkflowId } from '../workflows/ids';
import { extendDeadlineUpdate, roundWorkflow, submitReportUpdate } from '../workflows/round';
import { AppError } from './errors';

/**
 * The one place where kybao talks to the workflows of rounds, cycles and estimate groups: every Update
 * (submit a report, extend a deadline, start an ad hoc round, decide an estimate, approve the plan) and
 * the queries for a cycle's phase. Per-unit status is NOT read here: it comes from the database
 * (app/status.ts), because rounds shard their units over several workflows and their queries no longer
 * return per-unit data.
 *
 * Failures become AppErrors: a validator's refusal is 'refused' with the workflow's reason; a workflow
 * that does not exist is 'not-found'; Temporal answering "busy" (RESOURCE_EXHAUSTED, too many
 * concurrent Updates) is retried with backoff for up to `busyRetryMs` and only then 'busy'; no answer
 * within the Update timeout is 'unavailable'.
 */
export interface GatewayOptions {
  taskQueue: string;
  /** How long an Update may go unanswered (ms); KYBAO_UPDATE_TIMEOUT_SECONDS, default 60 s. */
  updateTimeoutMs?: number;
  /** How long "busy" answers are retried (ms); default 30 s. */
  busyRetryMs?: number;
  /** Told of each "busy" answer that is retried (for metrics and tests). */
  onBusy?: (workflowId: string, attempt: number) => void;
}

export function updateTimeoutFromEnv(source: NodeJS.ProcessEnv = process.env): number {
  const s = Number(source.KYBAO_UPDATE_TIMEOUT_SECONDS ?? 60);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 60_000;
}

export class WorkflowGateway {
  private readonly updateTimeoutMs: number;
  private readonly busyRetryMs: number;

  constructor(
    readonly client: Client,
    private readonly options: GatewayOptions,
  ) {
    this.updateTimeoutMs = options.updateTimeoutMs ?? updateTimeoutFromEnv();
    this.busyRetryMs = options.busyRetryMs ?? 30_000;
  }

  // ------------------------------------------------------------------------------------------ rounds

  /**
   * Submits a report to its round. `receivedAt` (epoch ms) is when the request arrived, from the
   * caller's clock: the instant the on-time/late mark is meant to use. The round workflow still takes
   * its own clock for the mark (issue #11 moves it to `receivedAt`), so it is not sent yet.
   */
  async submitReport(roundId: string, report: SubmitReport, receivedAt: number): Promise<SubmissionReceipt> {
    void receivedAt;
    const workflowId = roundWorkflowId(roundId);
    return this.update(workflowId, 'the submission was', () => this.client.workflow.getHandle(workflowId).executeUpdate(submitReportUpdate, { args: [report] }));
  }

  /** Gives one unit a later deadline in a round (the round moves its reminders and escalations). */
  async extendDeadline(roundId: string, extension: ExtendDeadline): Promise<void> {
    const workflowId = roundWorkflowId(roundId);
    await this.update(workflowId, 'the extension was', () => this.client.workflow.getHandle(workflowId).executeUpdate(extendDeadlineUpdate, { args: [extension] }));
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
  async startAdhocInCycle(programId: string, year: number, request: StartAdhocRound): Promise<{ roundId: string; workflowId: string; unitIds: string[] }> {
    const workflowId = cycleWorkflowId(programId, year);
    return this.update(workflowId, 'the ad hoc round was', () => this.client.workflow.getHandle(workflowId).executeUpdate(startAdhocRoundUpdate, { args: [request] }));
  }

  /** The approving authority approves the year's plan (the cycle refuses outside its approval phase). */
  async approvePlan(programId: string, year: number, approval: ApprovePlan): Promise<CycleStatus> {
    const workflowId = cycleWorkflowId(programId, year);
    return this.update(workflowId, 'the approval was', () => this.client.workflow.getHandle(workflowId).executeUpdate(approvePlanUpdate, { args: [approval] }));
  }

  /**
   * The cycle's phase, approval and estimates: from its query while it runs (estimates from the
   * estimate groups until appraisal ends), from its result once completed; null when there is none.
   */
  async cycleStatus(program: Program, year: number): Promise<{ status: CycleStatus; running: boolean } | null> {
    const workflowId = cycleWorkflowId(program.id, year);
    const handle = this.client.workflow.getHandle(workflowId);
    const state = await this.workflowState(workflowId);
    if (state === null) return null;
    if (state === 'COMPLETED') return { status: (await handle.result()) as CycleStatus, running: false };
    if (state !== 'RUNNING') return null;
    const status = await this.query(handle, () => handle.query(cycleStatusQuery));
    if (status.phase === 'planning' || status.phase === 'appraisal') status.estimates = await this.liveEstimates(program, year, status.estimates);
    return { status, running: true };
  }

  // -------------------------------------------------------------------------------- estimate groups

  /** The appraiser's decision, sent to the estimate group holding the unit (or a pre-group cycle). */
  async decideEstimate(program: Program, year: number, decision: DecideEstimate): Promise<EstimateState> {
    const workflowId = estimatesWorkflowOf(program, decision.unitId, year);
    const group = this.client.workflow.getHandle(workflowId);
    try {
      return await this.update(workflowId, 'the decision was', () => group.executeUpdate(decideEstimateUpdate, { args: [decision] }), { keepNotFound: true });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const ended = (await this.workflowState(workflowId)) !== null;
    const cycleId = cycleWorkflowId(program.id, year);
    if (ended) {
      const phase = await this.client.workflow
        .getHandle(cycleId)
        .query(cycleStatusQuery)
        .then(
          (s) => `the ${year} cycle is in its ${s.phase} phase`,
          () => `the ${year} cycle has ended`,
        );
      throw new AppError('refused', `the decision was refused: estimates are decided during appraisal; ${phase} (${workflowId} has ended)`);
    }
    // No group: a cycle started before estimates moved into groups holds them itself.
    return this.update(cycleId, 'the decision was', () => this.client.workflow.getHandle(cycleId).executeUpdate(decideInCycle, { args: [decision] }));
  }

  /** A unit's budget estimate (or its resubmission after a return), sent to the group holding the unit. */
  async submitEstimate(program: Program, year: number, estimate: SubmitEstimate): Promise<EstimateState> {
    const workflowId = estimatesWorkflowOf(program, estimate.unitId, year);
    return this.update(workflowId, 'the estimate was', () => this.client.workflow.getHandle(workflowId).executeUpdate(submitEstimateUpdate, { args: [estimate] }));
  }

  /** A unit's estimate as its group holds it now (null when it has none, or the group has ended). */
  async currentEstimate(program: Program, year: number, unitId: string): Promise<EstimateState | null> {
    const status = await this.client.workflow.getHandle(estimatesWorkflowOf(program, unitId, year)).query(estimatesStatusQuery);
    return status.estimates.find((e) => e.unitId === unitId) ?? null;
  }

  /** A year's estimates as their groups hold them now, over `known`; silent groups leave `known` as is. */
  async liveEstimates(program: Program, year: number, known: EstimateState[]): Promise<EstimateState[]> {
    const byUnit = new Map(known.map((e) => [e.unitId, e]));
    const groups = estimateGroupsOf(program).map((_, i) => estimatesWorkflowId(program.id, year, i + 1));
    for (const workflowId of groups) {
      const status = await this.client.workflow
        .getHandle(workflowId)
        .query(estimatesStatusQuery)
        .catch(() => null);
      for (const e of status?.estimates ?? []) byUnit.set(e.unitId, e);
    }
    return [...byUnit.values()];
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
  private async update<T>(workflowId: string, what: string, send: () => Promise<T>, options: { keepNotFound?: boolean } = {}): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await within(send(), this.updateTimeoutMs, workflowId);
      } catch (err) {
        if (isBusy(err) && Date.now() - started < this.busyRetryMs) {
          this.options.onBusy?.(workflowId, attempt + 1);
          // Exponential backoff with jitter: 50 ms, 100 ms, … capped at 2 s.
          const delay = Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2);
          await new Promise((r) => setTimeout(r, delay));
          continue;
        }
        if (isBusy(err)) throw new AppError('busy', `${workflowId} is busy with other requests; try again in a minute`, undefined, { cause: err });
        if (options.keepNotFound && err instanceof WorkflowNotFoundError) throw err;
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
  if (/UNAVAILABLE|ECONNREFUSED|connect|DEADLINE_EXCEEDED/i.test(msg) && !(err instanceof AppError)) {
    return new AppError('unavailable', `Temporal did not answer (${msg.split('\n')[0]}); is it running?`, undefined, { cause: err });
  }
  return err instanceof Error ? err : new Error(msg);
}

async function within<T>(promise: Promise<T>, ms: number, workflowId: string, doing = 'sending an update to'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new AppError(
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
