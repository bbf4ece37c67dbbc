import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CompiledReportDetail, CompiledReportSummary } from '../../../app/compiled-report-view';
import { editCompiledReport, issueCompiledReport, listCompiledReports, recompileCompiledReport, showCompiledReport } from '../../../app/compiled-reports';
import type { Actor } from '../../../app/context';
import { AppError } from '../../../app/errors';
import { REPORT_TEXT_MAX_CHARS } from '../../../domain/compilation/lifecycle';
import { getCompiledReport } from '../../../infra/db/compiled-reports';
import { reportFile, type ReportFileKind } from '../compiled-report-files';
import type { WebDeps } from '../deps';
import { requireReportReader } from '../report-access';

/**
 * The compiled reports over the JSON API (issue #15), as the Reports pages show them: the list (newest
 * period first, in pages), one report's key parts and model, its .docx and .xlsx. Staff with a reading
 * role (coordinator, auditor) send their bearer session or cookie; agencies and other roles get 403.
 */
const ErrorBody = z.object({ error: z.object({ message: z.string(), field: z.string().nullable() }) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 503: ErrorBody };
const IdParam = z.object({ id: z.string().min(1).max(100).describe('compiled report id, e.g. qd-925-thai-binh:2015-Q1') });

export async function reportApiPlugin(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const { c, program } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const found = async (id: string) => {
    const record = await getCompiledReport(c.db, id);
    if (!record || record.programId !== program.id) throw new AppError('not-found', `no compiled report ${JSON.stringify(id)}; GET /api/compiled-reports lists them`, 'id');
    return record;
  };

  const actorOf = (staff: ReturnType<typeof requireReportReader>): Actor => ({ id: staff.email, role: staff.role });
  /** The report as the application layer shows it; its workflow left out (and warned) when Temporal does not answer. */
  const detail = (req: FastifyRequest, staff: ReturnType<typeof requireReportReader>, id: string) => showCompiledReport(c, { actor: actorOf(staff), id, programId: program.id, warn: (m) => req.log.warn(m) });

  r.get('/api/compiled-reports', {
    schema: {
      tags: ['reports'],
      summary: "The program's compiled reports, newest period first",
      querystring: z.object({
        year: z.coerce.number().int().min(1900).max(2200).optional().describe('only the reports covering this year'),
        offset: z.coerce.number().int().min(0).default(0),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: { 200: z.object({ total: z.number().int(), offset: z.number().int(), reports: z.array(CompiledReportSummary) }), ...errors },
    },
    handler: async (req) => {
      const staff = requireReportReader(req, 'report.view');
      const all = (await listCompiledReports(c, { actor: actorOf(staff), programId: program.id, ...(req.query.year !== undefined ? { year: req.query.year } : {}) })).reverse();
      return { total: all.length, offset: req.query.offset, reports: all.slice(req.query.offset, req.query.offset + req.query.limit) };
    },
  });

  r.get('/api/compiled-reports/:id', {
    schema: { tags: ['reports'], summary: 'One compiled report: status, due date, compliance counts, missing units, indicator totals, texts, the model', params: IdParam, response: { 200: CompiledReportDetail, ...errors } },
    handler: async (req) => {
      return detail(req, requireReportReader(req, 'report.view'), req.params.id);
    },
  });

  for (const kind of ['docx', 'xlsx'] as const satisfies readonly ReportFileKind[]) {
    r.get(`/api/compiled-reports/:id/${kind}`, {
      schema: {
        tags: ['reports'],
        summary: kind === 'docx' ? 'The report as a .docx (Decree 30/2020 layout; "DỰ THẢO" on a draft)' : 'The report’s tables as a .xlsx',
        description: 'An issued report is served from the file kept when it was issued (checked against its SHA-256); a draft is rendered from its latest texts and figures.',
        params: IdParam,
        produces: [kind === 'docx' ? 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        response: { ...errors },
      },
      handler: async (req, reply) => {
        requireReportReader(req, 'report.view');
        const file = await reportFile(await found(req.params.id), kind, (m) => req.log.warn(m));
        return reply.header('content-type', file.contentType).header('content-disposition', file.disposition).header('cache-control', 'private, no-store').send(file.bytes as never);
      },
    });
  }

  // ------------------------------------------------------------------------ the coordinator's actions
  // Each goes to the report's workflow as an Update (app/compiled-reports.ts); the answer is the report
  // as the database then holds it. Refusals (issued already, a number taken, text too long) are 409/400.
  const Text = z.string().describe(`NFC, trimmed, at most ${REPORT_TEXT_MAX_CHARS} characters`);
  r.patch('/api/compiled-reports/:id', {
    schema: {
      tags: ['reports'],
      summary: "Edit a draft's introduction and/or conclusions (coordinator)",
      params: IdParam,
      body: z.object({ introduction: Text.optional(), conclusions: Text.optional() }),
      response: { 200: CompiledReportDetail, ...errors },
    },
    handler: async (req) => {
      const staff = requireReportReader(req, 'report.edit');
      await editCompiledReport(c, { actor: actorOf(staff), id: req.params.id, ...(req.body.introduction !== undefined ? { introduction: req.body.introduction } : {}), ...(req.body.conclusions !== undefined ? { conclusions: req.body.conclusions } : {}) });
      return detail(req, staff, req.params.id);
    },
  });
  r.post('/api/compiled-reports/:id/issue', {
    schema: {
      tags: ['reports'],
      summary: 'Issue a draft with its register number and signer (coordinator); cannot be undone',
      description: 'number: the issuer’s register number for the year (Decree 30/2020/NĐ-CP: from 01 each 1 January), unique in the program per year. signer.title: the printed lines of capacity and position, e.g. ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"].',
      params: IdParam,
      body: z.object({ number: z.number().int().min(1).max(99_999), signer: z.object({ title: z.array(z.string()).min(1), name: z.string() }) }),
      response: { 200: CompiledReportDetail, ...errors },
    },
    handler: async (req) => {
      const staff = requireReportReader(req, 'report.issue');
      await issueCompiledReport(c, { actor: actorOf(staff), id: req.params.id, number: req.body.number, signer: req.body.signer });
      return detail(req, staff, req.params.id);
    },
  });
  r.post('/api/compiled-reports/:id/recompile', {
    schema: { tags: ['reports'], summary: "Compile a draft again from the submissions received (coordinator); the texts are kept", params: IdParam, response: { 200: CompiledReportDetail, ...errors } },
    handler: async (req) => {
      const staff = requireReportReader(req, 'report.edit');
      await recompileCompiledReport(c, { actor: actorOf(staff), id: req.params.id });
      return detail(req, staff, req.params.id);
    },
  });
}
