/**
 * Reporting rounds, what each unit owes in them (obligations) and what the units sent (submissions).
 * The round workflow is the source of truth while a round runs; these rows are its durable projection,
 * written by activities. Every function is safe to retry (an activity may run twice): upserts create
 * once, status changes that change nothing write nothing, and submissions with an idempotency key are
 * recorded once. Each change appends an audit row in the same transaction.
 */
import { lateness } from '../../domain/round/lateness';
import type { FormData } from '../../domain/forms/form-data';
import { appendAudit, appendAuditMany, type AppendAuditInput } from './audit-repository';
import { directReaderOf } from './direct-reads';
import type { Db, DbTransaction } from './client';
import type { DbClient } from './shared';
import {
  InvalidInputError,
  InvalidStateError,
  NotFoundError,
  type Instant,
  fromJsonText,
  inTransaction,
  iso,
  isoOrNull,
  msToNumber,
  nonEmpty,
  oneOf,
  optionalDate,
  retryOnUniqueViolation,
  toDate,
  toJsonText,
} from './shared';

export const ROUND_STATUSES = ['open', 'closed', 'cancelled'] as const;
export type RoundStatusValue = (typeof ROUND_STATUSES)[number];

export const OBLIGATION_STATUSES = ['pending', 'submitted', 'late', 'overdue', 'missing', 'extended', 'not-tracked'] as const;
export type ObligationStatusValue = (typeof OBLIGATION_STATUSES)[number];

export interface RoundRecord {
  id: string;
  programId: string;
  year: number;
  kind: string;
  title: { vi: string; en: string };
  subject: string | null;
  deadline: string;
  status: RoundStatusValue;
  openedAt: string;
  closedAt: string | null;
  result: unknown;
  /** sha256 of the program definition the round was opened with; null for rounds from before versions. */
  programVersion: string | null;
  unitCount: number;
  shardCount: number;
  updatedAt: string;
}

export interface ObligationRecord {
  id: number;
  roundId: string;
  programId: string;
  unitId: string;
  dueAt: string;
  originalDueAt: string;
  status: ObligationStatusValue;
  submittedAt: string | null;
  lateByMs: number | null;
  /** The shard workflow holding it: round:<round id>:shard-<shard>. */
  shard: number;
  updatedAt: string;
}

export interface SubmissionRecord {
  id: number;
  obligationId: number;
  roundId: string;
  unitId: string;
  version: number;
  submittedBy: string;
  submittedAt: string;
  fileRef: string | null;
  contentSha256: string | null;
  note: string | null;
  idempotencyKey: string | null;
}

type RoundRow = {
  id: string;
  programId: string;
  year: number;
  kind: string;
  titleVi: string;
  titleEn: string;
  subject: string | null;
  deadline: Date;
  status: string;
  openedAt: Date;
  closedAt: Date | null;
  result: string | null;
  programVersion: string | null;
  unitCount: number;
  shardCount: number;
  updatedAt: Date;
};

type ObligationRow = {
  id: number;
  roundId: string;
  programId: string;
  unitId: string;
  dueAt: Date;
  originalDueAt: Date;
  status: string;
  submittedAt: Date | null;
  lateByMs: bigint | null;
  shard: number;
  updatedAt: Date;
};

type SubmissionRow = {
  id: number;
  obligationId: number;
  version: number;
  submittedBy: string;
  submittedAt: Date;
  fileRef: string | null;
  contentSha256: string | null;
  note: string | null;
  idempotencyKey: string | null;
};

function toRound(row: RoundRow): RoundRecord {
  return {
    id: row.id,
    programId: row.programId,
    year: row.year,
    kind: row.kind,
    title: { vi: row.titleVi, en: row.titleEn },
    subject: row.subject,
    deadline: iso(row.deadline),
    status: row.status as RoundStatusValue,
    openedAt: iso(row.openedAt),
    closedAt: isoOrNull(row.closedAt),
    result: fromJsonText(row.result),
    programVersion: row.programVersion,
    unitCount: row.unitCount,
    shardCount: row.shardCount,
    updatedAt: iso(row.updatedAt),
  };
}

function toObligation(row: ObligationRow): ObligationRecord {
  return {
    id: row.id,
    roundId: row.roundId,
    programId: row.programId,
    unitId: row.unitId,
    dueAt: iso(row.dueAt),
    originalDueAt: iso(row.originalDueAt),
    status: row.status as ObligationStatusValue,
    submittedAt: isoOrNull(row.submittedAt),
    lateByMs: msToNumber(row.lateByMs),
    shard: row.shard,
    updatedAt: iso(row.updatedAt),
  };
}

function toSubmission(row: SubmissionRow, roundId: string, unitId: string): SubmissionRecord {
  return {
    id: row.id,
    obligationId: row.obligationId,
    roundId,
    unitId,
    version: row.version,
    submittedBy: row.submittedBy,
    submittedAt: iso(row.submittedAt),
    fileRef: row.fileRef,
    contentSha256: row.contentSha256,
    note: row.note,
    idempotencyKey: row.idempotencyKey,
  };
}

// ---------------------------------------------------------------------------------------------- rounds

export interface UpsertRoundInput {
  /** e.g. "925-2015-Q1", or an ad hoc round's id. */
  id: string;
  programId: string;
  year: number;
  /** annual-plan | budget | quarterly | adhoc | preliminary-review | final-review | compilation | … */
  kind: string;
  title: { vi: string; en: string };
  subject?: string | null;
  deadline: Instant;
  /** When the round opened; default now. Only used when the round is created. */
  openedAt?: Instant;
  actor?: string;
}

/**
 * Creates the round (status open) or updates its title, subject and deadline. Status, result and
 * closedAt are never touched here (see closeRound). Audits round.opened on creation and round.updated
 * when something changed.
 */
export async function upsertRound(db: DbClient, input: UpsertRoundInput): Promise<RoundRecord> {
  nonEmpty(input.id, 'id');
  nonEmpty(input.programId, 'programId');
  nonEmpty(input.kind, 'kind');
  if (!Number.isInteger(input.year)) throw new InvalidInputError(`year: ${input.year} is not a whole year`);
  const deadline = toDate(input.deadline, 'deadline');
  const actor = input.actor ?? 'system';
  const now = new Date();
  return inTransaction(db, async (tx) => {
    const existing = await tx.round.findUnique({ where: { id: input.id } });
    if (!existing) {
      const openedAt = input.openedAt === undefined ? now : toDate(input.openedAt, 'openedAt');
      const row = await tx.round.create({
        data: {
          id: input.id,
          programId: input.programId,
          year: input.year,
          kind: input.kind,
          titleVi: input.title.vi,
          titleEn: input.title.en,
          subject: input.subject ?? null,
          deadline,
          status: 'open',
          openedAt,
          updatedAt: now,
        },
      });
      await appendAudit(tx, {
        at: openedAt,
        actor,
        action: 'round.opened',
        roundId: row.id,
        details: { programId: row.programId, year: row.year, kind: row.kind, deadline: iso(deadline), title: input.title },
      });
      return toRound(row);
    }
    if (existing.programId !== input.programId || existing.year !== input.year || existing.kind !== input.kind) {
      throw new InvalidStateError(
        `round ${input.id} exists for ${existing.programId}/${existing.year}/${existing.kind}; ` +
          `its program, year and kind cannot change (got ${input.programId}/${input.year}/${input.kind})`,
      );
    }
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (existing.titleVi !== input.title.vi) changes.titleVi = { from: existing.titleVi, to: input.title.vi };
    if (existing.titleEn !== input.title.en) changes.titleEn = { from: existing.titleEn, to: input.title.en };
    if (existing.subject !== (input.subject ?? null)) changes.subject = { from: existing.subject, to: input.subject ?? null };
    if (existing.deadline.getTime() !== deadline.getTime()) changes.deadline = { from: iso(existing.deadline), to: iso(deadline) };
    if (Object.keys(changes).length === 0) return toRound(existing);
    const row = await tx.round.update({
      where: { id: input.id },
      data: { titleVi: input.title.vi, titleEn: input.title.en, subject: input.subject ?? null, deadline, updatedAt: now },
    });
    await appendAudit(tx, { at: now, actor, action: 'round.updated', roundId: row.id, details: { changes } });
    return toRound(row);
  });
}

export async function getRound(db: DbClient, roundId: string): Promise<RoundRecord | null> {
  const row = await db.round.findUnique({ where: { id: roundId } });
  return row ? toRound(row) : null;
}

export async function listRounds(
  db: DbClient,
  filter: { programId?: string; year?: number; kind?: string; status?: RoundStatusValue } = {},
): Promise<RoundRecord[]> {
  const rows = await db.round.findMany({
    where: {
      ...(filter.programId !== undefined ? { programId: filter.programId } : {}),
      ...(filter.year !== undefined ? { year: filter.year } : {}),
      ...(filter.kind !== undefined ? { kind: filter.kind } : {}),
      ...(filter.status !== undefined ? { status: filter.status } : {}),
    },
    orderBy: [{ deadline: 'asc' }, { id: 'asc' }],
  });
  return rows.map(toRound);
}

export interface CloseRoundInput {
  roundId: string;
  /** The round's final report (JSON-serialisable), e.g. the workflow's RoundStatus. */
  result: unknown;
  /** Default now. */
  closedAt?: Instant;
  /** Default closed. */
  status?: Exclude<RoundStatusValue, 'open'>;
  actor?: string;
}

/** Closes an open round with its result. Closing a closed round returns it unchanged (first result wins). */
export async function closeRound(db: DbClient, input: CloseRoundInput): Promise<RoundRecord> {
  const status = oneOf(input.status ?? 'closed', ['closed', 'cancelled'] as const, 'status');
  const closedAt = input.closedAt === undefined ? new Date() : toDate(input.closedAt, 'closedAt');
  const result = toJsonText(input.result, 'result');
  return inTransaction(db, async (tx) => {
    const existing = await tx.round.findUnique({ where: { id: input.roundId } });
    if (!existing) throw new NotFoundError(`round ${input.roundId} does not exist`);
    if (existing.status !== 'open') return toRound(existing);
    const row = await tx.round.update({
      where: { id: input.roundId },
      data: { status, closedAt, result, updatedAt: new Date() },
    });
    await appendAudit(tx, {
      at: closedAt,
      actor: input.actor ?? 'system',
      action: status === 'closed' ? 'round.closed' : 'round.cancelled',
      roundId: row.id,
      details: { result: input.result },
    });
    return toRound(row);
  });
}

// ----------------------------------------------------------------------------------------- obligations

export interface UpsertObligationsInput {
  roundId: string;
  obligations: Array<{ unitId: string; dueAt: Instant; status?: ObligationStatusValue }>;
  actor?: string;
  at?: Instant;
}

/**
 * Creates the obligations the round does not have yet (status pending unless given); existing ones are
 * left as they are. Returns every obligation of the round, by unit id.
 */
export async function upsertObligations(db: DbClient, input: UpsertObligationsInput): Promise<ObligationRecord[]> {
  const at = input.at === undefined ? new Date() : toDate(input.at, 'at');
  const wanted = input.obligations.map((o, i) => ({
    unitId: nonEmpty(o.unitId, `obligations[${i}].unitId`),
    dueAt: toDate(o.dueAt, `obligations[${i}].dueAt`),
    status: oneOf(o.status ?? 'pending', OBLIGATION_STATUSES, `obligations[${i}].status`),
  }));
  return inTransaction(db, async (tx) => {
    const round = await tx.round.findUnique({ where: { id: input.roundId } });
    if (!round) throw new NotFoundError(`round ${input.roundId} does not exist; upsertRound first`);
    const existing = new Set(
      (await tx.obligation.findMany({ where: { roundId: input.roundId }, select: { unitId: true } })).map((o) => o.unitId),
    );
    for (const o of wanted) {
      if (existing.has(o.unitId)) continue;
      existing.add(o.unitId);
      await tx.obligation.create({
        data: {
          roundId: input.roundId,
          programId: round.programId,
          unitId: o.unitId,
          dueAt: o.dueAt,
          originalDueAt: o.dueAt,
          status: o.status,
          createdAt: at,
          updatedAt: at,
        },
      });
      await appendAudit(tx, {
        at,
        actor: input.actor ?? 'system',
        action: 'obligation.created',
        roundId: input.roundId,
        unitId: o.unitId,
        details: { dueAt: iso(o.dueAt), status: o.status },
      });
    }
    return listObligationsTx(tx, input.roundId);
  });
}

async function listObligationsTx(db: DbClient, roundId: string): Promise<ObligationRecord[]> {
  const rows = await db.obligation.findMany({ where: { roundId }, orderBy: { unitId: 'asc' } });
  return rows.map(toObligation);
}

export function listObligations(db: DbClient, roundId: string): Promise<ObligationRecord[]> {
  return listObligationsTx(db, roundId);
}

/** The obligations of the named units in a round (read in chunks: a shard's units at most, usually). */
export async function listObligationsOf(db: DbClient, roundId: string, unitIds: string[]): Promise<ObligationRecord[]> {
  const out: ObligationRecord[] = [];
  const ids = [...new Set(unitIds)];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.obligation.findMany({ where: { roundId, unitId: { in: ids.slice(i, i + 500) } } });
    out.push(...rows.map(toObligation));
  }
  return out;
}

export async function getObligation(db: DbClient, roundId: string, unitId: string): Promise<ObligationRecord | null> {
  const row = await db.obligation.findUnique({ where: { roundId_unitId: { roundId, unitId } } });
  return row ? toObligation(row) : null;
}

async function requireObligation(tx: DbTransaction, roundId: string, unitId: string): Promise<ObligationRow> {
  const row = await tx.obligation.findUnique({ where: { roundId_unitId: { roundId, unitId } } });
  if (!row) throw new NotFoundError(`unit ${unitId} has no obligation in round ${roundId}`);
  return row;
}

export interface SetObligationStatusInput {
  roundId: string;
  unitId: string;
  status: ObligationStatusValue;
  /** A new deadline (an extension). */
  dueAt?: Instant;
  lateByMs?: number | null;
  actor?: string;
  /** Why (an extension's reason, an escalation step); goes to the audit row. */
  reason?: string;
  at?: Instant;
  /**
   * Leave an obligation that already has a submission as it is. The overdue notice is planned for the
   * deadline instant, so it can race a report received at that very instant (late, by 0 ms or a few):
   * the report's "late" must not be overwritten by "overdue".
   */
  ifNotSubmitted?: boolean;
}

/** Sets an obligation's status (and deadline, for an extension). No change, no write, no audit row. */
export async function setObligationStatus(db: DbClient, input: SetObligationStatusInput): Promise<ObligationRecord> {
  const status = oneOf(input.status, OBLIGATION_STATUSES, 'status');
  const dueAt = optionalDate(input.dueAt, 'dueAt');
  const at = input.at === undefined ? new Date() : toDate(input.at, 'at');
  if (input.lateByMs !== undefined && input.lateByMs !== null && (!Number.isSafeInteger(input.lateByMs) || input.lateByMs < 0)) {
    throw new InvalidInputError(`lateByMs: ${input.lateByMs} is not a non-negative whole number of milliseconds`);
  }
  return inTransaction(db, async (tx) => {
    const row = await requireObligation(tx, input.roundId, input.unitId);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (row.status !== status) changes.status = { from: row.status, to: status };
    if (dueAt && row.dueAt.getTime() !== dueAt.getTime()) changes.dueAt = { from: iso(row.dueAt), to: iso(dueAt) };
    if (input.lateByMs !== undefined && msToNumber(row.lateByMs) !== input.lateByMs) {
      changes.lateByMs = { from: msToNumber(row.lateByMs), to: input.lateByMs };
    }
    if (Object.keys(changes).length === 0) return toObligation(row);
    if (input.ifNotSubmitted && row.submittedAt !== null) return toObligation(row);
    // With ifNotSubmitted the condition is in the UPDATE too, so a submission committed after the read
    // above still wins (read committed: recordSubmission sets submittedAt under the mirror condition).
    const { count } = await tx.obligation.updateMany({
      where: { id: row.id, ...(input.ifNotSubmitted ? { submittedAt: null } : {}) },
      data: {
        status,
        ...(dueAt ? { dueAt } : {}),
        ...(input.lateByMs !== undefined ? { lateByMs: input.lateByMs === null ? null : BigInt(input.lateByMs) } : {}),
        updatedAt: at,
      },
    });
    const updated = await tx.obligation.findUniqueOrThrow({ where: { id: row.id } });
    if (count === 0) return toObligation(updated);
    await appendAudit(tx, {
      at,
      actor: input.actor ?? 'system',
      action: 'obligation.status',
      roundId: input.roundId,
      unitId: input.unitId,
      details: { changes, ...(input.reason !== undefined ? { reason: input.reason } : {}) },
    });
    return toObligation(updated);
  });
}

// ----------------------------------------------------------------------------------------- submissions

export interface RecordSubmissionInput {
  roundId: string;
  unitId: string;
  submittedBy: string;
  /** Default now. */
  submittedAt?: Instant;
  /** Where the report is kept (file reference or URL). */
  fileRef?: string | null;
  contentSha256?: string | null;
  note?: string | null;
  /** A retry with the same key returns the version already recorded (e-mail Message-ID, update id). */
  idempotencyKey?: string | null;
  /**
   * The version number, when the caller decides it (a round shard numbers a unit's versions itself);
   * default: one more than the last stored.
   */
  version?: number;
  /**
   * The obligation's status after a FIRST submission. Default: the lateness rule
   * (domain/round/lateness.ts) against the deadline in force (dueAt): "submitted" strictly before it,
   * "late" at the instant itself and after. Later versions are revisions and leave the obligation as it is.
   */
  status?: 'submitted' | 'late';
  /** With `status`: how late. Default: max(0, submittedAt − dueAt). */
  lateByMs?: number;
  /**
   * The filled report form of this version, already validated by the caller against the round's form
   * (domain/forms formSubmissionSchema); stored as JSON. Read it back with infra/db/form-data.
   */
  formData?: FormData | null;
  actor?: string;
}

export interface RecordSubmissionResult {
  submission: SubmissionRecord;
  obligation: ObligationRecord;
  /** True when the idempotency key was already recorded: nothing was written. */
  duplicate: boolean;
}

/** Records the next version (1, 2, …) of a unit's report for a round. */
export async function recordSubmission(db: DbClient, input: RecordSubmissionInput): Promise<RecordSubmissionResult> {
  const submittedBy = nonEmpty(input.submittedBy, 'submittedBy');
  const submittedAt = input.submittedAt === undefined ? new Date() : toDate(input.submittedAt, 'submittedAt');
  const key = input.idempotencyKey ?? null;
  if (input.lateByMs !== undefined && (!Number.isSafeInteger(input.lateByMs) || input.lateByMs < 0)) {
    throw new InvalidInputError(`lateByMs: ${input.lateByMs} is not a non-negative whole number of milliseconds`);
  }
  // A lost race on (obligation, version) or on the key rolls the transaction back; the retry reads again.
  return retryOnUniqueViolation(() =>
    inTransaction(db, async (tx) => {
      const obligation = await requireObligation(tx, input.roundId, input.unitId);
      if (key !== null) {
        const previous = await tx.submission.findUnique({ where: { idempotencyKey: key } });
        if (previous) {
          if (previous.obligationId !== obligation.id) {
            throw new InvalidStateError(`idempotency key ${key} was used for another obligation (id ${previous.obligationId})`);
          }
          return { submission: toSubmission(previous, input.roundId, input.unitId), obligation: toObligation(obligation), duplicate: true };
        }
      }
      let version = input.version;
      if (version === undefined) {
        const last = await tx.submission.findFirst({
          where: { obligationId: obligation.id },
          orderBy: { version: 'desc' },
          select: { version: true },
        });
        version = (last?.version ?? 0) + 1;
      } else if (!Number.isInteger(version) || version < 1) {
        throw new InvalidInputError(`version: ${version} is not a whole number ≥ 1`);
      }
      const submission = await tx.submission.create({
        data: {
          obligationId: obligation.id,
          version,
          submittedBy,
          submittedAt,
          fileRef: input.fileRef ?? null,
          contentSha256: input.contentSha256 ?? null,
          note: input.note ?? null,
          idempotencyKey: key,
          formData: input.formData ? toJsonText(input.formData, 'formData') : null,
          createdAt: new Date(),
        },
      });
      if (version === 1) {
        // Version 1 decides on-time or late. The condition on submittedAt keeps a concurrent writer
        // that read the obligation before version 1 committed from overwriting it (read committed).
        const rule = lateness(submittedAt.getTime(), obligation.dueAt.getTime());
        const status = input.status ?? rule.status;
        const lateByMs = input.lateByMs ?? (status === 'submitted' ? 0 : rule.lateByMs);
        await tx.obligation.updateMany({
          where: { id: obligation.id, submittedAt: null },
          data: { status, submittedAt, lateByMs: BigInt(lateByMs), updatedAt: new Date() },
        });
      }
      const updated = await tx.obligation.findUniqueOrThrow({ where: { id: obligation.id } });
      await appendAudit(tx, {
        at: submittedAt,
        actor: input.actor ?? submittedBy,
        action: 'submission.recorded',
        roundId: input.roundId,
        unitId: input.unitId,
        details: {
          version,
          submittedBy,
          fileRef: input.fileRef ?? null,
          ...(input.note ? { note: input.note } : {}),
          ...(input.formData ? { withFormData: true } : {}),
          obligationStatus: updated.status,
          lateByMs: msToNumber(updated.lateByMs),
        },
      });
      return { submission: toSubmission(submission, input.roundId, input.unitId), obligation: toObligation(updated), duplicate: false };
    }),
  );
}

/** One submission of a batch whose caller numbered the versions and keyed every one (a round shard). */
export interface RecordSubmissionsItem extends Omit<RecordSubmissionInput, 'roundId' | 'version' | 'idempotencyKey'> {
  version: number;
  idempotencyKey: string;
}

/**
 * Records a batch of submissions of one round in one transaction, with the outcome `recordSubmission`
 * would give each of them in turn (same rows, same obligation updates, same audit entries), in a number
 * of statements that does not grow with the batch except for one plain UPDATE per first version: the
 * obligations and the keys already recorded are read in one query each, the new versions and their audit
 * entries inserted in one statement each. A round shard stores a burst of receipts this way; at a
 * deadline that is most of what the worker's database does (each ORM statement costs about a millisecond
 * of CPU, the plain UPDATE a quarter of that). Items whose key is recorded already are skipped (a retried
 * activity); a key recorded for another obligation is an InvalidStateError, a unit without an obligation
 * in the round a NotFoundError, as in `recordSubmission`.
 * Returns how many were written and how many were already there.
 */
export async function recordSubmissions(db: DbClient, roundId: string, items: RecordSubmissionsItem[]): Promise<{ recorded: number; duplicates: number }> {
  if (!items.length) return { recorded: 0, duplicates: 0 };
  const prepared = items.map((item) => {
    if (!Number.isInteger(item.version) || item.version < 1) throw new InvalidInputError(`version: ${item.version} is not a whole number ≥ 1`);
    if (item.lateByMs !== undefined && (!Number.isSafeInteger(item.lateByMs) || item.lateByMs < 0)) {
      throw new InvalidInputError(`lateByMs: ${item.lateByMs} is not a non-negative whole number of milliseconds`);
    }
    return { ...item, submittedBy: nonEmpty(item.submittedBy, 'submittedBy'), submittedAt: item.submittedAt === undefined ? new Date() : toDate(item.submittedAt, 'submittedAt') };
  });
  return retryOnUniqueViolation(() =>
    inTransaction(db, async (tx) => {
      const unitIds = [...new Set(prepared.map((p) => p.unitId))];
      const obligations = new Map((await tx.obligation.findMany({ where: { roundId, unitId: { in: unitIds } } })).map((o) => [o.unitId, o as ObligationRow]));
      for (const unitId of unitIds) if (!obligations.has(unitId)) throw new NotFoundError(`unit ${unitId} has no obligation in round ${roundId}`);
      const known = new Map(
        (await tx.submission.findMany({ where: { idempotencyKey: { in: prepared.map((p) => p.idempotencyKey) } }, select: { idempotencyKey: true, obligationId: true } })).map((r) => [
          r.idempotencyKey!,
          r.obligationId,
        ]),
      );
      const fresh: typeof prepared = [];
      let duplicates = 0;
      for (const p of prepared) {
        const obligation = obligations.get(p.unitId)!;
        const previous = known.get(p.idempotencyKey);
        if (previous !== undefined) {
          if (previous !== obligation.id) throw new InvalidStateError(`idempotency key ${p.idempotencyKey} was used for another obligation (id ${previous})`);
          duplicates += 1;
          continue;
        }
        known.set(p.idempotencyKey, obligation.id);
        fresh.push(p);
      }
      if (!fresh.length) return { recorded: 0, duplicates };
      const now = new Date();
      await tx.submission.createMany({
        data: fresh.map((p) => ({
          obligationId: obligations.get(p.unitId)!.id,
          version: p.version,
          submittedBy: p.submittedBy,
          submittedAt: p.submittedAt,
          fileRef: p.fileRef ?? null,
          contentSha256: p.contentSha256 ?? null,
          note: p.note ?? null,
          idempotencyKey: p.idempotencyKey,
          formData: p.formData ? toJsonText(p.formData, 'formData') : null,
          createdAt: now,
        })),
      });
      // Version 1 decides on-time or late, under the same condition as recordSubmission (submittedAt still
      // empty), so a concurrent writer that read the obligation earlier cannot overwrite it.
      const raced: string[] = [];
      for (const p of fresh) {
        if (p.version !== 1) continue;
        const o = obligations.get(p.unitId)!;
        const rule = lateness(p.submittedAt.getTime(), o.dueAt.getTime());
        const status = p.status ?? rule.status;
        const lateByMs = p.lateByMs ?? (status === 'submitted' ? 0 : rule.lateByMs);
        const changed = await tx.$executeRaw`UPDATE "Obligation" SET "status" = ${status}, "submittedAt" = ${p.submittedAt}, "lateByMs" = ${lateByMs}, "updatedAt" = ${now} WHERE "id" = ${o.id} AND "submittedAt" IS NULL`;
        if (changed === 1) obligations.set(p.unitId, { ...o, status, submittedAt: p.submittedAt, lateByMs: BigInt(lateByMs), updatedAt: now });
        else raced.push(p.unitId);
      }
      if (raced.length) for (const o of await tx.obligation.findMany({ where: { roundId, unitId: { in: raced } } })) obligations.set(o.unitId, o as ObligationRow);
      await appendAuditMany(
        tx,
        fresh.map((p): AppendAuditInput => {
          const o = obligations.get(p.unitId)!;
          return {
            at: p.submittedAt,
            actor: p.actor ?? p.submittedBy,
            action: 'submission.recorded',
            roundId,
            unitId: p.unitId,
            details: {
              version: p.version,
              submittedBy: p.submittedBy,
              fileRef: p.fileRef ?? null,
              ...(p.note ? { note: p.note } : {}),
              ...(p.formData ? { withFormData: true } : {}),
              obligationStatus: o.status,
              lateByMs: msToNumber(o.lateByMs),
            },
          };
        }),
      );
      return { recorded: fresh.length, duplicates };
    }),
  );
}

/**
 * The shard (1-based) whose workflow holds a unit's obligation in a round; null when the unit owes
 * nothing there. Plain SQL (the gateway asks it before every Update of a burst): through the driver
 * directly where it can (./direct-reads.ts), else Prisma's $queryRaw.
 */
export async function shardOfUnit(db: DbClient, roundId: string, unitId: string): Promise<number | null> {
  const direct = directReaderOf(db);
  const rows = direct
    ? direct.all<{ shard: number }>('SELECT "shard" FROM "Obligation" WHERE "roundId" = ? AND "unitId" = ?', [roundId, unitId])
    : await db.$queryRaw<Array<{ shard: number | bigint }>>`SELECT "shard" FROM "Obligation" WHERE "roundId" = ${roundId} AND "unitId" = ${unitId}`;
  return rows.length ? Number(rows[0]!.shard) : null;
}

/** Whether a round has written its obligations (any unit). Plain SQL, as shardOfUnit. */
export async function roundHasObligations(db: DbClient, roundId: string): Promise<boolean> {
  const direct = directReaderOf(db);
  const rows = direct
    ? direct.all('SELECT 1 AS "one" FROM "Obligation" WHERE "roundId" = ? LIMIT 1', [roundId])
    : await db.$queryRaw<unknown[]>`SELECT 1 AS "one" FROM "Obligation" WHERE "roundId" = ${roundId} LIMIT 1`;
  return rows.length > 0;
}

/**
 * Whether the submission with this idempotency key is stored. Plain SQL, as shardOfUnit: the gateway
 * polls it after every receipt until the shard's writer has stored the row.
 */
export async function submissionStored(db: DbClient, idempotencyKey: string): Promise<boolean> {
  const direct = directReaderOf(db);
  const rows = direct
    ? direct.all('SELECT 1 AS "one" FROM "Submission" WHERE "idempotencyKey" = ?', [idempotencyKey])
    : await db.$queryRaw<unknown[]>`SELECT 1 AS "one" FROM "Submission" WHERE "idempotencyKey" = ${idempotencyKey}`;
  return rows.length > 0;
}

/**
 * The submissions of several units of a round, each unit's oldest version first, in one query per 500
 * units (a receipt mail for a batch of units reads them at once). Units without submissions are absent.
 */
export async function listSubmissionsOf(db: DbClient, roundId: string, unitIds: string[]): Promise<Map<string, SubmissionRecord[]>> {
  const out = new Map<string, SubmissionRecord[]>();
  const ids = [...new Set(unitIds)];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.submission.findMany({
      where: { obligation: { roundId, unitId: { in: ids.slice(i, i + 500) } } },
      include: { obligation: { select: { unitId: true } } },
      orderBy: [{ obligationId: 'asc' }, { version: 'asc' }],
    });
    for (const row of rows) {
      const list = out.get(row.obligation.unitId) ?? [];
      list.push(toSubmission(row, roundId, row.obligation.unitId));
      out.set(row.obligation.unitId, list);
    }
  }
  return out;
}

/** A unit's submissions for a round, oldest version first. */
export async function listSubmissions(db: DbClient, roundId: string, unitId: string): Promise<SubmissionRecord[]> {
  const obligation = await db.obligation.findUnique({ where: { roundId_unitId: { roundId, unitId } }, select: { id: true } });
  if (!obligation) return [];
  const rows = await db.submission.findMany({ where: { obligationId: obligation.id }, orderBy: { version: 'asc' } });
  return rows.map((r) => toSubmission(r, roundId, unitId));
}

// ------------------------------------------------------------------------------------ rounds at scale

export interface OpenRoundObligationsInput {
  round: UpsertRoundInput;
  /** sha256 of the program definition the round was opened with. */
  programVersion: string;
  /** The units that owe the round, in the order they are cut into shards. */
  unitIds: string[];
  status: 'pending' | 'not-tracked';
  /**
   * At most this many units per shard. Units are dealt round-robin, unit i (0-based) to shard
   * (i mod shardCount) + 1, so that units next to each other in the program (and in a burst that follows
   * the program's order) land on different shards instead of queueing on one shard's ten in-flight Updates.
   */
  shardSize: number;
  /** Called between chunks of inserted rows (activities heartbeat). */
  onProgress?: (written: number) => void;
}

/** Rows per INSERT: far below SQLite's 32,766 bound variables at 10 columns a row. */
const CHUNK = 500;

/**
 * Opens a round for thousands of units: the round row (with its program version, unit and shard counts)
 * and one obligation per unit, inserted in chunks, with one audit row for the lot. Idempotent: a round
 * whose obligations exist already is returned as it is (a retried activity writes nothing twice).
 */
export async function openRoundObligations(db: Db, input: OpenRoundObligationsInput): Promise<{ unitCount: number; shardCount: number }> {
  if (!Number.isInteger(input.shardSize) || input.shardSize < 1) throw new InvalidInputError(`shardSize: ${input.shardSize} is not a whole number ≥ 1`);
  const unitIds = [...new Set(input.unitIds)];
  const shardCount = Math.max(1, Math.ceil(unitIds.length / input.shardSize));
  const round = await upsertRound(db, input.round);
  const existing = await db.obligation.count({ where: { roundId: round.id } });
  if (existing > 0) {
    const row = await db.round.findUniqueOrThrow({ where: { id: round.id }, select: { unitCount: true, shardCount: true } });
    return { unitCount: row.unitCount, shardCount: row.shardCount };
  }
  const dueAt = toDate(input.round.deadline, 'deadline');
  const at = new Date();
  await inTransaction(db, async (tx) => {
    for (let i = 0; i < unitIds.length; i += CHUNK) {
      await tx.obligation.createMany({
        data: unitIds.slice(i, i + CHUNK).map((unitId, j) => ({
          roundId: round.id,
          programId: round.programId,
          unitId,
          dueAt,
          originalDueAt: dueAt,
          status: input.status,
          shard: ((i + j) % shardCount) + 1,
          createdAt: at,
          updatedAt: at,
        })),
      });
      input.onProgress?.(Math.min(i + CHUNK, unitIds.length));
    }
    await tx.round.update({ where: { id: round.id }, data: { programVersion: input.programVersion, unitCount: unitIds.length, shardCount, updatedAt: at } });
    await appendAudit(tx, {
      at,
      actor: input.round.actor ?? 'system',
      action: 'round.obligations',
      roundId: round.id,
      details: { units: unitIds.length, shards: shardCount, shardSize: input.shardSize, status: input.status, dueAt: iso(dueAt), programVersion: input.programVersion },
    });
  });
  return { unitCount: unitIds.length, shardCount };
}

/** The obligations one shard holds, in unit order. */
export async function listShardObligations(db: DbClient, roundId: string, shard: number): Promise<ObligationRecord[]> {
  const rows = await db.obligation.findMany({ where: { roundId, shard }, orderBy: { id: 'asc' } });
  return rows.map(toObligation);
}

/** Which shard holds a unit's obligation in a round (null: the unit owes nothing in it). */
export async function shardOf(db: DbClient, roundId: string, unitId: string): Promise<number | null> {
  const row = await db.obligation.findUnique({ where: { roundId_unitId: { roundId, unitId } }, select: { shard: true } });
  return row ? row.shard : null;
}

/** Obligations of a round by status (every status present, 0 when none). */
export async function countObligations(db: DbClient, roundId: string): Promise<Record<ObligationStatusValue, number>> {
  const counts = Object.fromEntries(OBLIGATION_STATUSES.map((s) => [s, 0])) as Record<ObligationStatusValue, number>;
  const groups = await db.obligation.groupBy({ by: ['status'], where: { roundId }, _count: { _all: true } });
  for (const g of groups) counts[g.status as ObligationStatusValue] = g._count._all;
  return counts;
}

/**
 * A page of a round's obligations in unit order, for status views of large rounds.
 * `after`: the last unit id of the previous page (keyset paging: stable under concurrent writes).
 */
export async function pageObligations(
  db: DbClient,
  roundId: string,
  page: { after?: string; limit: number; status?: ObligationStatusValue },
): Promise<ObligationRecord[]> {
  const rows = await db.obligation.findMany({
    where: { roundId, ...(page.after !== undefined ? { unitId: { gt: page.after } } : {}), ...(page.status ? { status: page.status } : {}) },
    orderBy: { unitId: 'asc' },
    take: Math.min(Math.max(1, page.limit), 1_000),
  });
  return rows.map(toObligation);
}

/** Units of a round still owing their report under the deadline instant `dueAt` (for escalation digests). */
export async function unitsOwing(db: DbClient, roundId: string, dueAt: Instant): Promise<ObligationRecord[]> {
  const rows = await db.obligation.findMany({
    where: { roundId, dueAt: toDate(dueAt, 'dueAt'), submittedAt: null, status: { not: 'not-tracked' } },
    orderBy: { id: 'asc' },
  });
  return rows.map(toObligation);
}

/** Marks a shard's units that never submitted as missing, with one audit row per unit. */
export async function markObligationsMissing(db: Db, input: { roundId: string; unitIds: string[]; at: Instant; actor?: string }): Promise<number> {
  if (!input.unitIds.length) return 0;
  const at = toDate(input.at, 'at');
  return inTransaction(db, async (tx) => {
    const rows = await tx.obligation.findMany({ where: { roundId: input.roundId, unitId: { in: input.unitIds }, submittedAt: null, status: { not: 'missing' } } });
    if (!rows.length) return 0;
    await tx.obligation.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { status: 'missing', updatedAt: at } });
    for (const row of rows) {
      await appendAudit(tx, { at, actor: input.actor ?? 'system', action: 'obligation.status', roundId: input.roundId, unitId: row.unitId, details: { changes: { status: { from: row.status, to: 'missing' } } } });
    }
    return rows.length;
  });
}
