/**
 * Yearly budget estimates and their appraisal (focal task 16: Sở Tài chính appraises the units'
 * estimates and may approve, adjust or return them). Each estimate a unit sends is a new version; an
 * earlier version still waiting for appraisal becomes `superseded`. Only a `submitted` estimate can be
 * decided. Amounts are whole VND: accepted as bigint, safe integer or digit string, returned as strings.
 * Each change appends an audit row in the same transaction.
 */
import { appendAudit } from './audit-repository';
import type { DbTransaction } from './client';
import type { DbClient, Instant } from './shared';
import {
  InvalidInputError,
  InvalidStateError,
  NotFoundError,
  inTransaction,
  iso,
  nonEmpty,
  oneOf,
  retryOnUniqueViolation,
  toDate,
  toVnd,
} from './shared';

export const CYCLE_STATUSES = ['open', 'closed'] as const;
export type CycleStatusValue = (typeof CYCLE_STATUSES)[number];

export const ESTIMATE_STATUSES = ['submitted', 'approved', 'adjusted', 'returned', 'superseded'] as const;
export type EstimateStatusValue = (typeof ESTIMATE_STATUSES)[number];

export const APPRAISAL_DECISIONS = ['approve', 'adjust', 'return'] as const;
export type AppraisalDecisionValue = (typeof APPRAISAL_DECISIONS)[number];

export interface CycleRecord {
  id: string;
  programId: string;
  year: number;
  status: CycleStatusValue;
}

export interface EstimateRecord {
  id: number;
  cycleId: string;
  programId: string;
  year: number;
  unitId: string;
  version: number;
  /** Whole VND, decimal digits. */
  amountVnd: string;
  status: EstimateStatusValue;
  approvedAmountVnd: string | null;
  submittedBy: string;
  submittedAt: string;
  fileRef: string | null;
  note: string | null;
  idempotencyKey: string | null;
}

export interface DecisionRecord {
  id: number;
  estimateId: number;
  decision: AppraisalDecisionValue;
  amountVnd: string | null;
  reason: string | null;
  decidedBy: string;
  decidedAt: string;
}

/** The cycle id for a program year: "<programId>-<year>". */
export function cycleId(programId: string, year: number): string {
  return `${programId}-${year}`;
}

type EstimateRow = {
  id: number;
  cycleId: string;
  programId: string;
  unitId: string;
  version: number;
  amountVnd: bigint;
  status: string;
  approvedAmountVnd: bigint | null;
  submittedBy: string;
  submittedAt: Date;
  fileRef: string | null;
  note: string | null;
  idempotencyKey: string | null;
};

function toEstimate(row: EstimateRow, year: number): EstimateRecord {
  return {
    id: row.id,
    cycleId: row.cycleId,
    programId: row.programId,
    year,
    unitId: row.unitId,
    version: row.version,
    amountVnd: row.amountVnd.toString(),
    status: row.status as EstimateStatusValue,
    approvedAmountVnd: row.approvedAmountVnd === null ? null : row.approvedAmountVnd.toString(),
    submittedBy: row.submittedBy,
    submittedAt: iso(row.submittedAt),
    fileRef: row.fileRef,
    note: row.note,
    idempotencyKey: row.idempotencyKey,
  };
}

function toDecision(row: {
  id: number;
  estimateId: number;
  decision: string;
  amountVnd: bigint | null;
  reason: string | null;
  decidedBy: string;
  decidedAt: Date;
}): DecisionRecord {
  return {
    id: row.id,
    estimateId: row.estimateId,
    decision: row.decision as AppraisalDecisionValue,
    amountVnd: row.amountVnd === null ? null : row.amountVnd.toString(),
    reason: row.reason,
    decidedBy: row.decidedBy,
    decidedAt: iso(row.decidedAt),
  };
}

async function ensureCycleTx(tx: DbTransaction, programId: string, year: number, actor: string, at: Date): Promise<CycleRecord> {
  const id = cycleId(programId, year);
  const existing = await tx.cycle.findUnique({ where: { id } });
  if (existing) return { id, programId, year, status: existing.status as CycleStatusValue };
  await tx.cycle.create({ data: { id, programId, year, status: 'open', createdAt: at, updatedAt: at } });
  await appendAudit(tx, { at, actor, action: 'cycle.opened', details: { cycleId: id, programId, year } });
  return { id, programId, year, status: 'open' };
}

/** The program year's cycle, created (open) when missing. */
export function ensureCycle(db: DbClient, input: { programId: string; year: number; actor?: string; at?: Instant }): Promise<CycleRecord> {
  if (!Number.isInteger(input.year)) throw new InvalidInputError(`year: ${input.year} is not a whole year`);
  const at = input.at === undefined ? new Date() : toDate(input.at, 'at');
  return retryOnUniqueViolation(() => inTransaction(db, (tx) => ensureCycleTx(tx, input.programId, input.year, input.actor ?? 'system', at)));
}

export function setCycleStatus(
  db: DbClient,
  input: { programId: string; year: number; status: CycleStatusValue; actor?: string; at?: Instant },
): Promise<CycleRecord> {
  const status = oneOf(input.status, CYCLE_STATUSES, 'status');
  const at = input.at === undefined ? new Date() : toDate(input.at, 'at');
  const actor = input.actor ?? 'system';
  return inTransaction(db, async (tx) => {
    const cycle = await ensureCycleTx(tx, input.programId, input.year, actor, at);
    if (cycle.status === status) return cycle;
    await tx.cycle.update({ where: { id: cycle.id }, data: { status, updatedAt: at } });
    await appendAudit(tx, { at, actor, action: 'cycle.status', details: { cycleId: cycle.id, from: cycle.status, to: status } });
    return { ...cycle, status };
  });
}

export interface RecordEstimateInput {
  programId: string;
  year: number;
  unitId: string;
  amountVnd: bigint | number | string;
  submittedBy: string;
  submittedAt?: Instant;
  fileRef?: string | null;
  note?: string | null;
  /** A retry with the same key returns the estimate already recorded. */
  idempotencyKey?: string | null;
  actor?: string;
}

/** Records the unit's next estimate version for the year (creating the year's cycle when needed). */
export async function recordEstimate(db: DbClient, input: RecordEstimateInput): Promise<{ estimate: EstimateRecord; duplicate: boolean }> {
  const amountVnd = toVnd(input.amountVnd, 'amountVnd');
  const submittedBy = nonEmpty(input.submittedBy, 'submittedBy');
  const submittedAt = input.submittedAt === undefined ? new Date() : toDate(input.submittedAt, 'submittedAt');
  const key = input.idempotencyKey ?? null;
  const actor = input.actor ?? submittedBy;
  return retryOnUniqueViolation(() =>
    inTransaction(db, async (tx) => {
      if (key !== null) {
        const previous = await tx.budgetEstimate.findUnique({ where: { idempotencyKey: key } });
        if (previous) return { estimate: toEstimate(previous, input.year), duplicate: true };
      }
      const cycle = await ensureCycleTx(tx, input.programId, input.year, actor, submittedAt);
      if (cycle.status !== 'open') throw new InvalidStateError(`cycle ${cycle.id} is ${cycle.status}: it takes no more estimates`);
      const last = await tx.budgetEstimate.findFirst({
        where: { cycleId: cycle.id, unitId: input.unitId },
        orderBy: { version: 'desc' },
        select: { version: true },
      });
      const version = (last?.version ?? 0) + 1;
      const superseded = await tx.budgetEstimate.updateMany({
        where: { cycleId: cycle.id, unitId: input.unitId, status: 'submitted' },
        data: { status: 'superseded', updatedAt: submittedAt },
      });
      const row = await tx.budgetEstimate.create({
        data: {
          cycleId: cycle.id,
          programId: input.programId,
          unitId: input.unitId,
          version,
          amountVnd,
          status: 'submitted',
          submittedBy,
          submittedAt,
          fileRef: input.fileRef ?? null,
          note: input.note ?? null,
          idempotencyKey: key,
          updatedAt: submittedAt,
        },
      });
      await appendAudit(tx, {
        at: submittedAt,
        actor,
        action: 'budget.estimate.recorded',
        unitId: input.unitId,
        details: { cycleId: cycle.id, estimateId: row.id, version, amountVnd: amountVnd.toString(), supersededCount: superseded.count },
      });
      return { estimate: toEstimate(row, input.year), duplicate: false };
    }),
  );
}

export interface RecordDecisionInput {
  estimateId: number;
  decision: AppraisalDecisionValue;
  /** adjust: required (the adjusted amount). approve: optional, must equal the estimate's amount. return: not allowed. */
  amountVnd?: bigint | number | string | null;
  /** Required for adjust and return. */
  reason?: string | null;
  decidedBy: string;
  decidedAt?: Instant;
}

/**
 * The appraiser's decision on a submitted estimate. Retrying the same decision returns the one recorded
 * (duplicate: true); a different decision on an estimate that is no longer submitted is refused.
 */
export async function recordDecision(
  db: DbClient,
  input: RecordDecisionInput,
): Promise<{ decision: DecisionRecord; estimate: EstimateRecord; duplicate: boolean }> {
  const decision = oneOf(input.decision, APPRAISAL_DECISIONS, 'decision');
  const decidedBy = nonEmpty(input.decidedBy, 'decidedBy');
  const decidedAt = input.decidedAt === undefined ? new Date() : toDate(input.decidedAt, 'decidedAt');
  const reason = input.reason ?? null;
  const givenAmount = input.amountVnd === undefined || input.amountVnd === null ? null : toVnd(input.amountVnd, 'amountVnd');
  if (decision === 'adjust' && givenAmount === null) throw new InvalidInputError('amountVnd is required to adjust an estimate');
  if (decision === 'return' && givenAmount !== null) throw new InvalidInputError('amountVnd: a returned estimate has no amount');
  if ((decision === 'adjust' || decision === 'return') && (reason === null || reason.trim() === '')) {
    throw new InvalidInputError(`reason is required to ${decision} an estimate`);
  }
  return inTransaction(db, async (tx) => {
    const estimate = await tx.budgetEstimate.findUnique({ where: { id: input.estimateId }, include: { cycle: true } });
    if (!estimate) throw new NotFoundError(`budget estimate ${input.estimateId} does not exist`);
    const year = estimate.cycle.year;
    const amount = decision === 'approve' ? estimate.amountVnd : givenAmount;
    if (decision === 'approve' && givenAmount !== null && givenAmount !== estimate.amountVnd) {
      throw new InvalidInputError(
        `amountVnd ${givenAmount} differs from the estimate's ${estimate.amountVnd}: use "adjust" to change the amount`,
      );
    }
    if (estimate.status !== 'submitted') {
      const last = await tx.appraisalDecision.findFirst({ where: { estimateId: estimate.id }, orderBy: { id: 'desc' } });
      if (last && last.decision === decision && last.decidedBy === decidedBy && last.amountVnd === amount && last.reason === reason) {
        return { decision: toDecision(last), estimate: toEstimate(estimate, year), duplicate: true };
      }
      throw new InvalidStateError(`budget estimate ${estimate.id} is ${estimate.status}; only a submitted estimate can be decided`);
    }
    const row = await tx.appraisalDecision.create({
      data: { estimateId: estimate.id, decision, amountVnd: amount, reason, decidedBy, decidedAt },
    });
    const status = decision === 'approve' ? 'approved' : decision === 'adjust' ? 'adjusted' : 'returned';
    const updated = await tx.budgetEstimate.update({
      where: { id: estimate.id },
      data: { status, approvedAmountVnd: amount, updatedAt: decidedAt },
    });
    await appendAudit(tx, {
      at: decidedAt,
      actor: decidedBy,
      action: 'budget.decision',
      unitId: estimate.unitId,
      details: {
        cycleId: estimate.cycleId,
        estimateId: estimate.id,
        version: estimate.version,
        decision,
        amountVnd: amount === null ? null : amount.toString(),
        requestedVnd: estimate.amountVnd.toString(),
        ...(reason !== null ? { reason } : {}),
      },
    });
    return { decision: toDecision(row), estimate: toEstimate(updated, year), duplicate: false };
  });
}

/** Estimates of a program year, by unit then version. */
export async function listEstimates(
  db: DbClient,
  filter: { programId: string; year: number; unitId?: string; status?: EstimateStatusValue; /** at most a few hundred */ unitIds?: string[] },
): Promise<EstimateRecord[]> {
  const rows = await db.budgetEstimate.findMany({
    where: {
      cycleId: cycleId(filter.programId, filter.year),
      ...(filter.unitId !== undefined ? { unitId: filter.unitId } : {}),
      ...(filter.unitIds !== undefined ? { unitId: { in: filter.unitIds } } : {}),
      ...(filter.status !== undefined ? { status: filter.status } : {}),
    },
    orderBy: [{ unitId: 'asc' }, { version: 'asc' }],
  });
  return rows.map((r) => toEstimate(r, filter.year));
}

export async function listDecisions(db: DbClient, estimateId: number): Promise<DecisionRecord[]> {
  const rows = await db.appraisalDecision.findMany({ where: { estimateId }, orderBy: { id: 'asc' } });
  return rows.map(toDecision);
}
