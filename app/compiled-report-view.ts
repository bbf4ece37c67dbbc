import { DateTime } from 'luxon';
import { z } from 'zod';
import { CATEGORY_LABELS } from '../domain/compilation/labels';
import { documentNumber } from '../domain/compilation/lifecycle';
import { compiledReportModelSchema, complianceCountsSchema } from '../domain/compilation/model';
import type { CompiledReportStatus } from '../domain/compilation/obligation';
import type { CompiledReportRecord } from '../infra/db/compiled-reports';
import { compiledReportWorkflowId } from '../workflows/ids';
import type { AppClients } from './context';

/**
 * The one shape of a compiled report outside the database (issue #15), which app/compiled-reports.ts
 * answers with and the command line, the Reports pages and the /api/compiled-reports routes show: the
 * list's row (`CompiledReportSummary`: period, due instant, overdue flag, number, documents) and the
 * report in full (`CompiledReportDetail`: the compliance counts, the missing units, every indicator's
 * province figure, the texts, who signs, its workflow). One zod schema each, which the API's responses
 * and its OpenAPI document use too. Instants are ISO 8601 in the program's zone.
 */

const Text = z.object({ vi: z.string(), en: z.string() });

export const CompiledReportSummary = z.object({
  id: z.string().describe('e.g. qd-925-thai-binh:2015-Q1, qd-925-thai-binh:year-2015'),
  programId: z.string(),
  scope: z.enum(['round', 'year', 'review']),
  roundId: z.string().nullable(),
  roundKey: z.string().nullable().describe('the round compiled, e.g. 2015-Q1 (scope round)'),
  review: z.enum(['preliminary', 'final']).nullable().describe('sơ kết or tổng kết (scope review)'),
  fromYear: z.number().int(),
  toYear: z.number().int(),
  title: Text,
  period: Text,
  status: z.enum(['draft', 'issued']),
  revision: z.number().int().describe('1 on the first compilation, +1 each time the figures changed'),
  compiledAt: z.string(),
  dueAt: z
    .string()
    .nullable()
    .describe('issue before this instant, as the report’s obligation was started with: compilation.issueWithinWorkingDays working days after the round’s deadline, or yearReport/reviewReport.issueWithinWorkingDays after 31 December of the year or the review’s last year; null without a workflow'),
  overdue: z.boolean().describe('a draft at or past dueAt, or a report issued at or past it'),
  number: z.number().int().nullable().describe('the number in the issuer’s register, once issued'),
  documentNumber: z.string().nullable().describe('e.g. 05/BC-STTTT, once issued'),
  issuedAt: z.string().nullable(),
  documents: z.object({ docx: z.string(), xlsx: z.string() }).describe('download addresses (staff with a reading role)'),
  files: z
    .object({ docx: z.string().nullable(), xlsx: z.string().nullable() })
    .describe('the documents as stored, relative to kybao’s folder (null until rendered: an issued report’s, once its workflow has rendered them)'),
});
export type CompiledReportSummary = z.infer<typeof CompiledReportSummary>;

const Counts = complianceCountsSchema;

export const CompiledReportDetail = CompiledReportSummary.extend({
  introduction: z.string(),
  conclusions: z.string(),
  issuedBy: z.string().nullable(),
  signer: z.object({ title: z.array(z.string()), name: z.string().nullable() }).describe('who signs: the issued report’s signer, or the program’s default for a draft'),
  compliance: z.object({
    totals: Counts,
    byCategory: z.array(z.object({ category: z.string(), label: Text, counts: Counts })),
  }),
  missing: z.array(z.object({ unitId: z.string(), name: Text, category: z.string(), rounds: z.array(z.string()) })),
  indicators: z.array(
    z.object({
      table: Text,
      id: z.string(),
      name: Text,
      unitOfMeasure: Text.nullable(),
      type: z.string(),
      aggregation: z.string(),
      value: z.string().nullable().describe('the province figure; null when nothing was reported (no data is not 0), and for a list'),
      items: z.array(z.string()).nullable().describe('a list indicator: every value given, in program order; null for the others'),
      reported: z.number().int(),
      asked: z.number().int(),
    }),
  ),
  withoutFormData: z.number().int().describe('units that reported a file without the form'),
  warnings: z.array(z.string()),
  workflow: z
    .object({
      workflowId: z.string().describe('report:<report id>'),
      running: z.boolean(),
      busy: z.enum(['edit', 'issue', 'recompile']).nullable().describe('the write being handled now'),
      notices: z.array(z.object({ key: z.string(), kind: z.enum(['reminder', 'overdue', 'escalation', 'issued']), step: z.number().int(), at: z.string() })).describe('reminders, overdue notice, escalations and the issued mail sent so far'),
    })
    .nullable()
    .describe('the report as the coordinator’s obligation (workflows/compiled-report.ts); null when it has none: a report compiled before reports were obligations'),
  model: compiledReportModelSchema.describe('the whole compiled model (domain/compilation/model.ts)'),
});
export type CompiledReportDetail = z.infer<typeof CompiledReportDetail>;

const isoIn = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true })!;
const inZone = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toISO({ suppressMilliseconds: true })!;

/**
 * When a report is due to be issued, as its obligation was started with (domain/compilation/obligation.ts:
 * a round's deadline + compilation.issueWithinWorkingDays working days; a year's or a review's, 31
 * December of its last year + yearReport/reviewReport.issueWithinWorkingDays): the instant its workflow
 * stored when it planned, else its workflow's own, else null (no workflow). Never today's program's rule.
 */
export function dueAtOf(report: Pick<CompiledReportRecord, 'dueAt'>, workflow: { status: Pick<CompiledReportStatus, 'dueAt'> } | null = null): number | null {
  const due = report.dueAt ?? workflow?.status.dueAt ?? null;
  return due === null ? null : Date.parse(due);
}

/** Behind its due instant: a draft at or past it (at that instant it is late), or a report issued at or past it. */
export function isOverdue(dueAt: number | null, state: { status: 'draft' } | { status: 'issued'; issuedAt: string }, now: number): boolean {
  if (dueAt === null) return false;
  return state.status === 'issued' ? Date.parse(state.issuedAt) >= dueAt : now >= dueAt;
}

/** Where a report's files are downloaded from (the API route; pages link to it with their cookie). */
export function documentPath(id: string, kind: 'docx' | 'xlsx'): string {
  return `/api/compiled-reports/${encodeURIComponent(id)}/${kind}`;
}

export function summaryOf(report: CompiledReportRecord, now: number, workflow: { status: Pick<CompiledReportStatus, 'dueAt'> } | null = null): CompiledReportSummary {
  const { model, state } = report;
  const zone = model.timeZone;
  const dueAt = dueAtOf(report, workflow);
  const issued = state.status === 'issued' ? state : null;
  return {
    id: report.id,
    programId: report.programId,
    scope: report.scope,
    roundId: report.roundId,
    roundKey: model.scope.kind === 'round' ? model.scope.roundKey : null,
    review: model.scope.kind === 'review' ? model.scope.review : null,
    fromYear: report.fromYear,
    toYear: report.toYear,
    title: model.title,
    period: model.period,
    status: state.status,
    revision: report.revision,
    compiledAt: inZone(report.compiledAt, zone),
    dueAt: dueAt === null ? null : isoIn(dueAt, zone),
    overdue: isOverdue(dueAt, state, now),
    number: issued?.number ?? null,
    documentNumber: issued ? documentNumber(issued.number, model.issuing.symbol) : null,
    issuedAt: issued ? inZone(issued.issuedAt, zone) : null,
    documents: { docx: documentPath(report.id, 'docx'), xlsx: documentPath(report.id, 'xlsx') },
    files: { docx: report.documents.docx?.ref ?? null, xlsx: report.documents.xlsx?.ref ?? null },
  };
}

export function detailOf(report: CompiledReportRecord, now: number, workflow: { status: CompiledReportStatus; running: boolean } | null = null): CompiledReportDetail {
  const { model, state } = report;
  return {
    ...summaryOf(report, now, workflow),
    introduction: state.introduction,
    conclusions: state.conclusions,
    issuedBy: state.status === 'issued' ? state.issuedBy : null,
    signer: state.status === 'issued' ? state.signer : model.issuing.signer,
    compliance: {
      totals: model.compliance.totals,
      byCategory: model.compliance.byCategory.map((c) => ({ category: c.category, label: CATEGORY_LABELS[c.category], counts: c.counts })),
    },
    missing: model.missing,
    indicators: model.tables.flatMap((t) =>
      t.indicators.map((i) => ({
        table: t.title,
        id: i.id,
        name: i.name,
        unitOfMeasure: i.unitOfMeasure,
        type: i.type,
        aggregation: i.aggregation,
        value: i.province.value,
        items: i.aggregation === 'list' ? i.observations.map((o) => String(o.value)) : null,
        reported: i.province.reported,
        asked: i.province.asked,
      })),
    ),
    withoutFormData: model.withoutFormData.length,
    warnings: model.warnings,
    workflow: workflow ? { workflowId: compiledReportWorkflowId(report.id), running: workflow.running, busy: workflow.status.busy, notices: workflow.status.notices } : null,
    model,
  };
}

/**
 * The report's workflow as the gateway sees it (its query while it runs, its result once done), or null
 * when it has none. A read page still shows the stored report when Temporal does not answer: the reason
 * goes to the log and the workflow part is left out.
 */
export async function reportWorkflowOf(c: Pick<AppClients, 'gateway'>, id: string, warn: (message: string) => void): Promise<{ status: CompiledReportStatus; running: boolean } | null> {
  try {
    return await c.gateway.compiledReportStatus(id);
  } catch (err) {
    warn(`compiled report ${id}: its workflow did not answer (${(err as Error).message.split('\n')[0]}); showing the stored report without it`);
    return null;
  }
}
