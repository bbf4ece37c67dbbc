import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../../app/errors';
import { getCompiledReport, listCompiledReports } from '../../../infra/db/compiled-reports';
import { reportFile, type ReportFileKind } from '../compiled-report-files';
import { CompiledReportDetail, CompiledReportSummary, detailOf, summaryOf } from '../compiled-report-view';
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
      requireReportReader(req, 'report.view');
      const all = (await listCompiledReports(c.db, { programId: program.id, ...(req.query.year !== undefined ? { year: req.query.year } : {}) })).reverse();
      const now = c.clock.now();
      return { total: all.length, offset: req.query.offset, reports: all.slice(req.query.offset, req.query.offset + req.query.limit).map((x) => summaryOf(x, program, now)) };
    },
  });

  r.get('/api/compiled-reports/:id', {
    schema: { tags: ['reports'], summary: 'One compiled report: status, due date, compliance counts, missing units, indicator totals, texts, the model', params: IdParam, response: { 200: CompiledReportDetail, ...errors } },
    handler: async (req) => {
      requireReportReader(req, 'report.view');
      return detailOf(await found(req.params.id), program, c.clock.now());
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
}
