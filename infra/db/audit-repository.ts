/**
 * The audit log: what happened, who did it, to which round and unit. Append-only: there is no update or
 * delete here, and the database rejects both (triggers in the initial migration). The other repositories
 * append in the same transaction as the change they record, so a change and its audit row commit together.
 * Append order (the id) is the log's order; `at` is the instant the caller says the event happened.
 */
import type { DbClient, Instant } from './shared';
import { fromJsonText, iso, nonEmpty, toDate, toJsonText } from './shared';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  roundId: string | null;
  unitId: string | null;
  details: unknown;
}

export interface AppendAuditInput {
  /** A user's e-mail, "system", or "workflow:<workflow id>". */
  actor: string;
  /** Dotted verb: round.opened, obligation.status, submission.recorded, notification.sent, … */
  action: string;
  roundId?: string | null;
  unitId?: string | null;
  /** Anything JSON-serialisable (bigints become strings). */
  details?: unknown;
  /** Default: now. */
  at?: Instant;
}

export interface ListAuditFilter {
  roundId?: string;
  unitId?: string;
  action?: string;
  actor?: string;
  /** Only entries appended after this id (paging: pass the last id you have). */
  afterId?: number;
  /** Default 1000. */
  limit?: number;
}

type AuditRow = {
  id: number;
  at: Date;
  actor: string;
  action: string;
  roundId: string | null;
  unitId: string | null;
  details: string;
};

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: iso(row.at),
    actor: row.actor,
    action: row.action,
    roundId: row.roundId,
    unitId: row.unitId,
    details: fromJsonText(row.details),
  };
}

export async function appendAudit(db: DbClient, input: AppendAuditInput): Promise<AuditEntry> {
  const row = await db.auditLog.create({ data: auditRowOf(input) });
  return toEntry(row);
}

/** The row an entry is stored as, its input checked (the actor and action non-empty, the instant valid). */
function auditRowOf(input: AppendAuditInput) {
  return {
    at: input.at === undefined ? new Date() : toDate(input.at, 'at'),
    actor: nonEmpty(input.actor, 'actor'),
    action: nonEmpty(input.action, 'action'),
    roundId: input.roundId ?? null,
    unitId: input.unitId ?? null,
    details: toJsonText(input.details ?? {}, 'details'),
  };
}

/**
 * Appends several entries with one statement, in the order given (a batch of deliveries recorded
 * together). Returns nothing: the callers of a batch do not read the rows back.
 */
export async function appendAuditMany(db: DbClient, inputs: AppendAuditInput[]): Promise<void> {
  if (!inputs.length) return;
  await db.auditLog.createMany({ data: inputs.map(auditRowOf) });
}

/** Entries in append order (oldest first). */
export async function listAudit(db: DbClient, filter: ListAuditFilter = {}): Promise<AuditEntry[]> {
  const rows = await db.auditLog.findMany({
    where: {
      ...(filter.roundId !== undefined ? { roundId: filter.roundId } : {}),
      ...(filter.unitId !== undefined ? { unitId: filter.unitId } : {}),
      ...(filter.action !== undefined ? { action: filter.action } : {}),
      ...(filter.actor !== undefined ? { actor: filter.actor } : {}),
      ...(filter.afterId !== undefined ? { id: { gt: filter.afterId } } : {}),
    },
    orderBy: { id: 'asc' },
    take: filter.limit ?? 1000,
  });
  return rows.map(toEntry);
}
