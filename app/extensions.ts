import { z } from 'zod';
import { appendAudit } from '../infra/db/audit-repository';
import { getObligation, getRound } from '../infra/db/round-repository';
import { ExtendDeadline, describeZodError } from '../domain/round/schema';
import type { Program } from '../domain/program/schema';
import type { AppClients } from './context';
import { AppError } from './errors';
import { parseDeadline } from './input';
import { requireUnit } from './programs';
import { cleanText } from './text';

/**
 * Extensions: the coordinator grants one directly (`kybao extend`, or deciding an agency's request),
 * which is the round's extendDeadline Update; an agency asks for one from its page, stored as an
 * ExtensionRequest until the coordinator grants or refuses it (with a reason the agency sees).
 */
export interface ExtendInput {
  program: Program;
  roundId: string;
  unitId: string;
  /** YYYY-MM-DD (due before 00:00 that day) or an ISO instant with offset */
  until: string;
  reason: string;
  by: string;
}

export interface ExtendResult {
  roundId: string;
  unit: { unitId: string; dueAt: string; status: string } | null;
}

export async function extendDeadline(c: Pick<AppClients, 'db' | 'gateway' | 'clock'>, input: ExtendInput): Promise<ExtendResult> {
  requireUnit(input.program, input.unitId);
  const until = parseDeadline(input.until, input.program.timeZone, '--until', c.clock.now(), 'until');
  const parsed = ExtendDeadline.safeParse({ unitId: input.unitId, until, reason: cleanText(input.reason) ?? '', grantedBy: input.by });
  if (!parsed.success) throw new AppError('invalid', describeZodError(parsed.error), String(parsed.error.issues[0]?.path[0] ?? 'payload'));
  await c.gateway.extendDeadline(input.roundId, parsed.data);
  // The round records the new deadline before it answers: the database has it now.
  const o = await getObligation(c.db, input.roundId, input.unitId);
  return { roundId: input.roundId, unit: o ? { unitId: o.unitId, dueAt: o.dueAt, status: o.status } : null };
}

export const ExtensionRequestStatus = z.enum(['pending', 'granted', 'refused']);

export const ExtensionRequestView = z.object({
  id: z.number().int(),
  roundId: z.string(),
  unitId: z.string(),
  requestedUntil: z.string(),
  reason: z.string(),
  requestedAt: z.string(),
  status: ExtensionRequestStatus,
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionReason: z.string().nullable(),
  grantedUntil: z.string().nullable(),
});
export type ExtensionRequestView = z.infer<typeof ExtensionRequestView>;

type Row = {
  id: number;
  roundId: string;
  unitId: string;
  requestedUntil: Date;
  reason: string;
  requestedAt: Date;
  status: string;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  grantedUntil: Date | null;
};

function view(r: Row): ExtensionRequestView {
  return {
    id: r.id,
    roundId: r.roundId,
    unitId: r.unitId,
    requestedUntil: r.requestedUntil.toISOString(),
    reason: r.reason,
    requestedAt: r.requestedAt.toISOString(),
    status: r.status as ExtensionRequestView['status'],
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    decisionReason: r.decisionReason,
    grantedUntil: r.grantedUntil?.toISOString() ?? null,
  };
}

/** An agency asks for a later deadline. Refused when it has submitted, or already has a request pending. */
export async function requestExtension(
  c: Pick<AppClients, 'db' | 'clock'>,
  input: { program: Program; roundId: string; unitId: string; until: string; reason: string; by: string },
): Promise<ExtensionRequestView> {
  const now = c.clock.now();
  const until = parseDeadline(input.until, input.program.timeZone, 'until', now, 'until');
  const reason = cleanText(input.reason) ?? '';
  if (reason.length < 3) throw new AppError('invalid', 'say why you need more time (at least 3 characters)', 'reason');
  if (reason.length > 2000) throw new AppError('invalid', 'the reason is too long (at most 2000 characters)', 'reason');
  const round = await getRound(c.db, input.roundId);
  if (!round || round.status !== 'open') throw new AppError('refused', `round ${input.roundId} is not open; it takes no requests`);
  const o = await getObligation(c.db, input.roundId, input.unitId);
  if (!o) throw new AppError('not-found', `unit "${input.unitId}" has no obligation in round ${input.roundId}`, 'unitId');
  if (o.submittedAt) throw new AppError('refused', 'the report has been submitted already; there is nothing to extend');
  if (Date.parse(until) <= Date.parse(o.dueAt)) throw new AppError('invalid', `the new deadline must be after the one in force (${o.dueAt})`, 'until');
  return c.db.$transaction(async (tx) => {
    const pending = await tx.extensionRequest.count({ where: { roundId: input.roundId, unitId: input.unitId, status: 'pending' } });
    if (pending) throw new AppError('refused', 'a request for this report is already waiting for the coordinator');
    const row = await tx.extensionRequest.create({
      data: { roundId: input.roundId, unitId: input.unitId, requestedUntil: new Date(until), reason, requestedAt: new Date(now), status: 'pending' },
    });
    await appendAudit(tx, { at: new Date(now), actor: input.by, action: 'extension.requested', roundId: input.roundId, unitId: input.unitId, details: { requestId: row.id, until, reason } });
    return view(row);
  });
}

export async function listExtensionRequests(c: Pick<AppClients, 'db'>, filter: { status?: ExtensionRequestView['status']; roundId?: string; unitId?: string } = {}): Promise<ExtensionRequestView[]> {
  const rows = await c.db.extensionRequest.findMany({
    where: { ...(filter.status ? { status: filter.status } : {}), ...(filter.roundId ? { roundId: filter.roundId } : {}), ...(filter.unitId ? { unitId: filter.unitId } : {}) },
    orderBy: { id: 'asc' },
    take: 500,
  });
  return rows.map(view);
}

async function pendingRequest(c: Pick<AppClients, 'db'>, id: number): Promise<Row> {
  const row = await c.db.extensionRequest.findUnique({ where: { id } });
  if (!row) throw new AppError('not-found', `no extension request ${id}`, 'id');
  if (row.status !== 'pending') throw new AppError('refused', `extension request ${id} was ${row.status} already by ${row.decidedBy ?? 'someone'}`);
  return row;
}

/** Grants a pending request through the round's Update, then records the decision. */
export async function grantExtensionRequest(c: Pick<AppClients, 'db' | 'gateway' | 'clock'>, input: { program: Program; id: number; by: string; note?: string }): Promise<ExtensionRequestView> {
  const row = await pendingRequest(c, input.id);
  const note = cleanText(input.note);
  const reason = `${row.reason}${note ? ` — ${note}` : ''}`;
  await c.gateway.extendDeadline(row.roundId, { unitId: row.unitId, until: row.requestedUntil.toISOString(), reason, grantedBy: input.by });
  const now = new Date(c.clock.now());
  const done = await c.db.$transaction(async (tx) => {
    await tx.extensionRequest.updateMany({
      where: { id: row.id, status: 'pending' },
      data: { status: 'granted', decidedBy: input.by, decidedAt: now, decisionReason: note ?? null, grantedUntil: row.requestedUntil },
    });
    await appendAudit(tx, { at: now, actor: input.by, action: 'extension.granted', roundId: row.roundId, unitId: row.unitId, details: { requestId: row.id, until: row.requestedUntil.toISOString() } });
    return tx.extensionRequest.findUniqueOrThrow({ where: { id: row.id } });
  });
  return view(done);
}

/** Refuses a pending request with a reason the agency sees. */
export async function refuseExtensionRequest(c: Pick<AppClients, 'db' | 'clock'>, input: { id: number; by: string; reason: string }): Promise<ExtensionRequestView> {
  const reason = cleanText(input.reason) ?? '';
  if (reason.length < 3) throw new AppError('invalid', 'say why the request is refused (at least 3 characters)', 'reason');
  const row = await pendingRequest(c, input.id);
  const now = new Date(c.clock.now());
  return c.db.$transaction(async (tx) => {
    const changed = await tx.extensionRequest.updateMany({ where: { id: row.id, status: 'pending' }, data: { status: 'refused', decidedBy: input.by, decidedAt: now, decisionReason: reason } });
    if (changed.count === 0) throw new AppError('refused', `extension request ${row.id} was decided meanwhile`);
    await appendAudit(tx, { at: now, actor: input.by, action: 'extension.refused', roundId: row.roundId, unitId: row.unitId, details: { requestId: row.id, reason } });
    return view(await tx.extensionRequest.findUniqueOrThrow({ where: { id: row.id } }));
  });
}
