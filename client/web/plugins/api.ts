import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { startAdhocRound } from '../../../app/adhoc';
import { formDataFromFields, obligationView, ObligationView } from '../../../app/agency';
import { decideEstimate, listEstimates } from '../../../app/appraisal';
import { roundArchive } from '../../../app/archive';
import { auditLog, historyJson, replayWorkflow, timelineOf } from '../../../app/audit';
import { AppError } from '../../../app/errors';
import { readDraft, saveDraft } from '../../../app/form-drafts';
import { ExtensionRequestStatus, ExtensionRequestView, grantExtensionRequest, listExtensionRequests, refuseExtensionRequest, requestExtension } from '../../../app/extensions';
import { parseAmount } from '../../../app/input';
import { issueLink } from '../../../app/links';
import { approvePlan, planView } from '../../../app/plan-approval';
import { resendReminder, undeliveredMail } from '../../../app/reminders';
import { collectYear, roundCounts, roundStatuses, roundUnitsPage, timelinessByQuarter } from '../../../app/status';
import { submitReport } from '../../../app/submissions';
import { signIn, signOut, UserView } from '../../../app/users';
import { requireAgency, requireStaff } from '../auth';
import type { WebDeps } from '../deps';
import { readUpload } from '../upload';

/**
 * The JSON API under /api: one route per operation of the application layer, zod schemas as the single
 * source of request and response types (and of the OpenAPI document at /api/openapi.json). Staff send
 * `Authorization: Bearer <session token>` (from POST /api/session) or the session cookie; agencies send
 * their link token (`?t=` or `Authorization: Bearer <link token>`). Every error is
 * `{ error: { message, field } }` with its status (app/errors.ts).
 */
const ErrorBody = z.object({ error: z.object({ message: z.string(), field: z.string().nullable() }) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody, 503: ErrorBody };

const Year = z.coerce.number().int().min(1900).max(2200).describe('cycle year, e.g. 2015');
const RoundUnit = z.object({ roundId: z.string().min(1).describe('round id, e.g. qd-925-thai-binh:2015-Q1'), unitId: z.string().min(1).describe('unit id, e.g. so-khdt') });
/** A filled report form (domain/forms/form-data.ts): values by indicator id, texts by section and focal task. */
const FormDataShape = z.object({
  indicators: z.record(z.string(), z.union([z.number(), z.string()])),
  sections: z.record(z.string(), z.object({ text: z.string().optional(), tasks: z.record(z.string(), z.string()) })),
});
const LinkQuery = z.object({ t: z.string().optional().describe('the signed link token from the e-mail') });

const Receipt = z.object({
  roundId: z.string(),
  unitId: z.string(),
  version: z.number().int(),
  submittedAt: z.string(),
  onTime: z.boolean(),
  lateByMs: z.number().describe('ms; 0 when on time'),
  /** null: a report form sent without a file */
  fileName: z.string().nullable(),
  size: z.number().int().nullable().describe('bytes; null without a file'),
  reference: z.string(),
  withForm: z.boolean().describe('a filled report form came with it (issue #15)'),
});

const UnitStatus = z.object({
  unitId: z.string(),
  dueAt: z.string(),
  status: z.string(),
  submittedAt: z.string().nullable(),
  lateByMs: z.number().nullable(),
  submissions: z.array(z.object({ version: z.number(), at: z.string(), reference: z.string(), by: z.string() })),
  extensions: z.array(z.object({ until: z.string(), reason: z.string(), by: z.string(), at: z.string() })),
});
const Counts = z.record(z.string(), z.number());
const RoundSummary = z.object({
  roundId: z.string(),
  key: z.string(),
  kind: z.string(),
  title: z.object({ vi: z.string(), en: z.string() }),
  deadline: z.string(),
  state: z.string(),
  counts: Counts,
  completionRate: z.number().nullable(),
  timelinessRate: z.number().nullable(),
  units: z.array(z.object({ unitId: z.string(), status: z.string() })),
});
const Estimate = z.object({
  unitId: z.string(),
  version: z.number(),
  amountVnd: z.string(),
  status: z.string(),
  approvedAmountVnd: z.string().nullable(),
  returns: z.number(),
});

export async function apiPlugin(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const { c, program } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const linkLimit = { rateLimit: { max: c.env.KYBAO_RATE_LIMIT_LINK, timeWindow: '1 minute' } };

  // ---------------------------------------------------------------------------------------- sessions
  r.post('/api/session', {
    config: { rateLimit: { max: c.env.KYBAO_RATE_LIMIT_LOGIN, timeWindow: '1 minute' } },
    schema: {
      tags: ['session'],
      summary: 'Sign in (staff): returns a session token for `Authorization: Bearer`',
      body: z.object({ email: z.string().min(1), password: z.string().min(1) }),
      response: { 200: z.object({ token: z.string(), user: UserView, expiresAt: z.string() }), ...errors },
    },
    handler: async (req) => signIn(c.db, { email: req.body.email, password: req.body.password, hours: c.env.KYBAO_SESSION_HOURS }, c.clock),
  });
  r.get('/api/session', {
    schema: { tags: ['session'], summary: 'Who is signed in', response: { 200: z.object({ user: UserView }), ...errors } },
    handler: async (req) => {
      if (!req.caller.staff) throw new AppError('unauthorized', 'sign in first', 'session');
      return { user: req.caller.staff };
    },
  });
  r.delete('/api/session', {
    schema: { tags: ['session'], summary: 'Sign out (ends the session)', response: { 204: z.null(), ...errors } },
    handler: async (req, reply) => {
      if (!req.caller.sessionToken || !req.caller.staff) throw new AppError('unauthorized', 'sign in first', 'session');
      await signOut(c.db, req.caller.sessionToken, c.clock);
      return reply.code(204).send(null);
    },
  });

  // ---------------------------------------------------------------------------------------- agencies
  r.get('/api/rounds/:roundId/units/:unitId', {
    config: linkLimit,
    schema: { tags: ['agency'], summary: "The unit's obligation in the round (agency link)", params: RoundUnit, querystring: LinkQuery, response: { 200: ObligationView, ...errors } },
    handler: async (req) => {
      await requireAgency(c, req);
      return obligationView(c.db, program, req.params.roundId, req.params.unitId, c.clock.now());
    },
  });
  // The unit's draft of the report form (app/form-drafts.ts): kept for this unit only, never submitted.
  const Draft = z.object({ formData: FormDataShape, savedAt: z.string().describe('ISO instant of the last save'), savedBy: z.string() });
  r.get('/api/rounds/:roundId/units/:unitId/draft', {
    config: linkLimit,
    schema: { tags: ['agency'], summary: "The unit's saved draft of the report form (agency link); null when it has none", params: RoundUnit, querystring: LinkQuery, response: { 200: z.object({ draft: Draft.nullable() }), ...errors } },
    handler: async (req) => {
      const claims = await requireAgency(c, req);
      return { draft: await readDraft(c, { program, roundId: claims.r, unitId: claims.u }) };
    },
  });
  r.put('/api/rounds/:roundId/units/:unitId/draft', {
    config: linkLimit,
    schema: {
      tags: ['agency'],
      summary: 'Save the report form as a draft (replaces the previous one); not a submission',
      description: 'Body: { indicators: { <id>: value }, sections: { <id>: { text, tasks: { <n>: text } } } }. Types and bounds are checked as for a submission; nothing is required.',
      params: RoundUnit,
      querystring: LinkQuery,
      body: z.unknown(),
      response: { 200: Draft, ...errors },
    },
    handler: async (req) => {
      const claims = await requireAgency(c, req);
      return saveDraft(c, { program, roundId: claims.r, unitId: claims.u, formData: req.body, by: `agency:${claims.u}` });
    },
  });
  r.post('/api/rounds/:roundId/units/:unitId/submissions', {
    config: linkLimit,
    schema: {
      tags: ['agency'],
      summary: 'Submit the report (multipart/form-data: note, amountVnd, then file), streamed; returns the receipt',
      description: `Fields before the file: note (text), amountVnd (whole VND, digits; annual plan and budget revision rounds). The file: at most KYBAO_UPLOAD_MAX_BYTES, one of KYBAO_UPLOAD_TYPES; an empty file is refused.`,
      consumes: ['multipart/form-data'],
      params: RoundUnit,
      querystring: LinkQuery,
      response: { 200: Receipt, ...errors },
    },
    handler: async (req) => {
      const claims = await requireAgency(c, req);
      return submitFromRequest(deps, req, claims.u);
    },
  });
  r.post('/api/rounds/:roundId/units/:unitId/extension-requests', {
    config: linkLimit,
    schema: {
      tags: ['agency'],
      summary: 'Ask the coordinator for a later deadline',
      params: RoundUnit,
      querystring: LinkQuery,
      body: z.object({ until: z.string().describe('YYYY-MM-DD: due before 00:00 that day'), reason: z.string() }),
      response: { 200: ExtensionRequestView, ...errors },
    },
    handler: async (req) => {
      const claims = await requireAgency(c, req);
      return requestExtension(c, { program, roundId: claims.r, unitId: claims.u, until: req.body.until, reason: req.body.reason, by: `agency:${claims.u}` });
    },
  });

  // ------------------------------------------------------------------------------------- coordinator
  r.get('/api/years/:year/status', {
    schema: {
      tags: ['coordinator'],
      summary: 'Compliance matrix of a year: rounds with counts and rates, and each unit’s status',
      params: z.object({ year: Year }),
      // Without offset/limit every unit of every round; with them, that page of each round's units (unit-id order).
      querystring: z.object({ offset: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(10_000).optional() }),
      response: { 200: z.object({ year: z.number(), phase: z.string().nullable(), rounds: z.array(RoundSummary) }), ...errors },
    },
    handler: async (req) => {
      requireStaff(req, 'status.view');
      // Counts and rates per round, then one two-column query per round for the cells.
      const y = await collectYear(c, program, req.params.year, undefined, { units: false });
      const rounds = [];
      for (const x of y.rounds) {
        const units = x.source === 'database' ? await roundStatuses(c.db, x.roundId, { offset: req.query.offset, limit: req.query.limit }) : [];
        rounds.push({ ...x, units });
      }
      return { year: y.year, phase: y.cycle?.phase ?? null, rounds };
    },
  });
  r.get('/api/rounds/:roundId/status', {
    schema: {
      tags: ['coordinator'],
      summary: 'One round, a page of units at a time',
      params: z.object({ roundId: z.string().min(1) }),
      querystring: z.object({ offset: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(1000).default(200) }),
      response: { 200: z.object({ roundId: z.string(), counts: Counts, completionRate: z.number(), timelinessRate: z.number(), offset: z.number(), units: z.array(UnitStatus) }), ...errors },
    },
    handler: async (req) => {
      requireStaff(req, 'status.view');
      if (!(await c.db.round.findUnique({ where: { id: req.params.roundId }, select: { id: true } }))) throw new AppError('not-found', `no round ${req.params.roundId}`, 'roundId');
      const counts = await roundCounts(c.db, req.params.roundId);
      const units = await roundUnitsPage(c.db, req.params.roundId, { offset: req.query.offset, limit: req.query.limit });
      return { roundId: req.params.roundId, ...counts, offset: req.query.offset, units };
    },
  });
  r.get('/api/timeliness', {
    schema: {
      tags: ['coordinator'],
      summary: 'Timeliness of every quarterly round, across the years',
      response: { 200: z.array(z.object({ year: z.number(), quarter: z.number(), roundId: z.string(), owed: z.number(), onTime: z.number(), late: z.number(), timelinessRate: z.number().nullable() })), ...errors },
    },
    handler: async (req) => {
      requireStaff(req, 'status.view');
      return timelinessByQuarter(c.db, program.id);
    },
  });
  r.get('/api/mail/undelivered', {
    schema: {
      tags: ['coordinator'],
      summary: 'Mail that could not be delivered',
      response: { 200: z.array(z.object({ id: z.number(), roundId: z.string().nullable(), unitId: z.string().nullable(), kind: z.string(), to: z.array(z.string()), subject: z.string(), error: z.string().nullable(), attempts: z.number(), createdAt: z.string() })), ...errors },
    },
    handler: async (req) => {
      requireStaff(req, 'mail.view');
      return undeliveredMail(c.db);
    },
  });
  r.post('/api/adhoc-rounds', {
    schema: {
      tags: ['coordinator'],
      summary: 'Start an ad hoc round',
      body: z.object({
        title: z.string(),
        subject: z.string().optional(),
        deadline: z.string().describe('YYYY-MM-DD: due before 00:00 that day'),
        unitIds: z.array(z.string()).optional(),
        category: z.string().optional(),
        reminderOffsets: z.array(z.number().int()).optional(),
      }),
      response: { 200: z.object({ roundId: z.string(), workflowId: z.string(), unitIds: z.array(z.string()), via: z.string(), deadline: z.string() }), ...errors },
    },
    handler: async (req) => {
      const staff = requireStaff(req, 'round.adhoc');
      const b = req.body;
      return startAdhocRound(c, {
        program,
        title: b.title,
        ...(b.subject ? { subject: b.subject } : {}),
        deadline: b.deadline,
        units: b.unitIds?.length ? { unitIds: b.unitIds } : b.category ? { category: b.category } : { all: true },
        ...(b.reminderOffsets ? { reminderOffsets: b.reminderOffsets } : {}),
        by: staff.email,
      });
    },
  });
  r.get('/api/extension-requests', {
    schema: { tags: ['coordinator'], summary: 'Extension requests from agencies', querystring: z.object({ status: ExtensionRequestStatus.optional() }), response: { 200: z.array(ExtensionRequestView), ...errors } },
    handler: async (req) => {
      requireStaff(req, 'extension.decide');
      return listExtensionRequests(c, req.query.status ? { status: req.query.status } : {});
    },
  });
  r.post('/api/extension-requests/:id/grant', {
    schema: { tags: ['coordinator'], summary: 'Grant a request (the round moves the unit’s deadline)', params: z.object({ id: z.coerce.number().int() }), body: z.object({ note: z.string().optional() }), response: { 200: ExtensionRequestView, ...errors } },
    handler: async (req) => {
      const staff = requireStaff(req, 'extension.decide');
      return grantExtensionRequest(c, { program, id: req.params.id, by: staff.email, ...(req.body.note ? { note: req.body.note } : {}) });
    },
  });
  r.post('/api/extension-requests/:id/refuse', {
    schema: { tags: ['coordinator'], summary: 'Refuse a request, with a reason the agency sees', params: z.object({ id: z.coerce.number().int() }), body: z.object({ reason: z.string() }), response: { 200: ExtensionRequestView, ...errors } },
    handler: async (req) => {
      const staff = requireStaff(req, 'extension.decide');
      return refuseExtensionRequest(c, { id: req.params.id, by: staff.email, reason: req.body.reason });
    },
  });
  r.post('/api/rounds/:roundId/units/:unitId/reminders', {
    schema: { tags: ['coordinator'], summary: "Resend the unit's latest reminder", params: RoundUnit, response: { 200: z.object({ notificationId: z.number(), kind: z.string(), to: z.array(z.string()) }), ...errors } },
    handler: async (req) => {
      const staff = requireStaff(req, 'reminder.resend');
      const n = await resendReminder(c.db, { roundId: req.params.roundId, unitId: req.params.unitId, by: staff.email }, c.clock);
      return { notificationId: n.id, kind: n.kind, to: n.recipients.map((x) => x.email) };
    },
  });
  r.get('/api/rounds/:roundId/archive', {
    schema: { tags: ['coordinator'], summary: "The latest version of every unit's report, as one zip (streamed)", params: z.object({ roundId: z.string().min(1) }), produces: ['application/zip'], response: { ...errors } },
    handler: async (req, reply) => {
      requireStaff(req, 'round.archive');
      const zip = await roundArchive(c.db, c.storage, req.params.roundId);
      return reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename="${zip.fileName}"`).send(zip.stream as never);
    },
  });
  r.get('/api/rounds/:roundId/units/:unitId/link', {
    schema: { tags: ['coordinator'], summary: "The unit's signed link for the round, as its mails carry it", params: RoundUnit, response: { 200: z.object({ url: z.string(), expiresAt: z.string() }), ...errors } },
    handler: async (req) => {
      requireStaff(req, 'link.issue');
      return issueLink(c.db, c.env, program, req.params.roundId, req.params.unitId);
    },
  });

  // ------------------------------------------------------------------------------ appraiser, approver
  r.get('/api/years/:year/estimates', {
    schema: { tags: ['appraiser'], summary: "A year's budget estimates as the workflows hold them", params: z.object({ year: Year }), response: { 200: z.object({ phase: z.string().nullable(), estimates: z.array(Estimate) }), ...errors } },
    handler: async (req) => {
      requireStaff(req, 'estimate.view');
      const out = await listEstimates(c, program, req.params.year);
      return { phase: out.phase, estimates: out.estimates };
    },
  });
  r.post('/api/years/:year/estimates/:unitId/decision', {
    schema: {
      tags: ['appraiser'],
      summary: 'Approve, adjust or return a unit’s estimate',
      params: z.object({ year: Year, unitId: z.string() }),
      body: z.discriminatedUnion('decision', [
        z.object({ decision: z.literal('approve') }),
        z.object({ decision: z.literal('adjust'), amountVnd: z.string(), reason: z.string() }),
        z.object({ decision: z.literal('return'), reason: z.string() }),
      ]),
      response: { 200: Estimate, ...errors },
    },
    handler: async (req) => {
      const staff = requireStaff(req, 'estimate.decide');
      const b = req.body;
      const decision = b.decision === 'adjust' ? { decision: 'adjust' as const, amountVnd: parseAmount(b.amountVnd), reason: b.reason } : b;
      return decideEstimate(c, { program, year: req.params.year, unitId: req.params.unitId, by: staff.email, ...decision });
    },
  });
  r.get('/api/years/:year/plan', {
    schema: {
      tags: ['approver'],
      summary: "The year's plan: phase, approval, the appraisal's outcome",
      params: z.object({ year: Year }),
      response: { 200: z.object({ year: z.number(), phase: z.string().nullable(), running: z.boolean(), approval: z.object({ approvedBy: z.string(), at: z.string() }).nullable(), estimates: Counts, approvedTotalVnd: z.string() }), ...errors },
    },
    handler: async (req) => {
      requireStaff(req, 'plan.view');
      return planView(c, program, req.params.year);
    },
  });
  r.post('/api/years/:year/plan/approval', {
    schema: { tags: ['approver'], summary: "Approve the year's plan and budget (after appraisal)", params: z.object({ year: Year }), body: z.object({ note: z.string().optional() }), response: { 200: z.object({ year: z.number(), approvedBy: z.string(), at: z.string() }), ...errors } },
    handler: async (req) => {
      const staff = requireStaff(req, 'plan.approve');
      const s = await approvePlan(c, { program, year: req.params.year, ...(req.body.note ? { note: req.body.note } : {}), by: staff.email });
      return { year: req.params.year, approvedBy: s.approval!.approvedBy, at: s.approval!.at };
    },
  });

  // ---------------------------------------------------------------------------------------- auditors
  const WorkflowParam = z.object({ workflowId: z.string().min(1).describe('e.g. round:qd-925-thai-binh:2015-Q1') });
  r.get('/api/audit/workflows/:workflowId/history', {
    schema: { tags: ['auditor'], summary: "A workflow's full history as Temporal's JSON (download)", params: WorkflowParam, response: { ...errors } },
    handler: async (req, reply) => {
      requireStaff(req, 'audit.read');
      const h = await historyJson(c.temporal, req.params.workflowId);
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.params.workflowId.replace(/:/g, '__')}.json"`)
        .send(h.json as never);
    },
  });
  r.get('/api/audit/workflows/:workflowId/timeline', {
    schema: {
      tags: ['auditor'],
      summary: 'A workflow read as a timeline in local time',
      params: WorkflowParam,
      response: { 200: z.object({ workflowId: z.string(), entries: z.array(z.object({ at: z.string(), kind: z.string(), text: z.string() })) }), ...errors },
    },
    handler: async (req) => {
      requireStaff(req, 'audit.read');
      const t = await timelineOf(c, req.params.workflowId);
      return { workflowId: req.params.workflowId, entries: t.entries.map((e) => ({ at: DateTime.fromMillis(e.at, { zone: t.timeZone }).toISO()!, kind: e.kind, text: e.text })) };
    },
  });
  r.get('/api/audit/workflows/:workflowId/replay', {
    schema: {
      tags: ['auditor'],
      summary: "Replay the workflow's history against the current code",
      params: WorkflowParam,
      response: { 200: z.object({ workflowId: z.string(), ok: z.boolean(), error: z.string().optional(), divergedAt: z.object({ eventId: z.number(), description: z.string() }).optional() }), ...errors },
    },
    handler: async (req) => {
      requireStaff(req, 'audit.read');
      const o = await replayWorkflow(c.temporal, req.params.workflowId, deps.replayBundle ? { workflowBundle: deps.replayBundle } : {});
      return { workflowId: req.params.workflowId, ok: o.ok, ...(o.error ? { error: o.error } : {}), ...(o.divergedAt ? { divergedAt: o.divergedAt } : {}) };
    },
  });
  r.get('/api/audit/log', {
    schema: {
      tags: ['auditor'],
      summary: 'The audit log, oldest first (page with afterId)',
      querystring: z.object({ roundId: z.string().optional(), unitId: z.string().optional(), afterId: z.coerce.number().int().optional(), limit: z.coerce.number().int().min(1).max(1000).optional() }),
      response: { 200: z.array(z.object({ id: z.number(), at: z.string(), actor: z.string(), action: z.string(), roundId: z.string().nullable(), unitId: z.string().nullable(), details: z.unknown() })), ...errors },
    },
    handler: async (req) => {
      requireStaff(req, 'audit.read');
      return auditLog(c.db, req.query);
    },
  });
}

/** Reads the multipart form (fields, then the file, streamed) and submits. */
export async function submitFromRequest(deps: WebDeps, req: import('fastify').FastifyRequest, unitId: string) {
  const { c, program } = deps;
  const params = req.params as { roundId: string };
  const upload = await readUpload(req, c.env.KYBAO_UPLOAD_MAX_BYTES);
  const amount = upload.fields.amountVnd?.trim();
  const formData = formDataFromFields(upload.fields);
  const { receipt, upload: stored } = await submitReport(c, {
    program,
    roundId: params.roundId,
    unitId,
    ...(upload.file ? { file: upload.file } : {}),
    ...(formData !== undefined ? { formData } : {}),
    ...(upload.fields.note ? { note: upload.fields.note } : {}),
    ...(amount ? { amountVnd: parseAmount(amount) } : {}),
    by: `agency:${unitId}`,
  });
  return { ...receipt, fileName: stored?.originalName ?? null, size: stored?.size ?? null, reference: stored?.reference ?? `form:${unitId}`, withForm: formData !== undefined };
}
