import { DateTime } from 'luxon';
import { z } from 'zod';
import { issueDueAt, issueOverdue } from '../../domain/compilation/issue-due';
import { CATEGORY_LABELS } from '../../domain/compilation/labels';
import { documentNumber } from '../../domain/compilation/lifecycle';
import { compiledReportModelSchema, complianceCountsSchema } from '../../domain/compilation/model';
import type { Program } from '../../domain/program/schema';
import type { CompiledReportRecord } from '../../infra/db/compiled-reports';

/**
 * What the Reports pages and the /api/compiled-reports routes show of a compiled report (issue #15):
 * the list's row (`CompiledReportSummary`) and the report's key parts (`CompiledReportDetail`: the
 * compliance counts, the missing units, every indicator's province figure, the texts, who signed). One
 * zod schema each, which the API's responses and its OpenAPI document use too. Instants are ISO 8601 in
 * the program's zone.
 */

const Text = z.object({ vi: z.string(), en: z.string() });

export const CompiledReportSummary = z.object({
  id: z.string().describe('e.g. qd-925-thai-binh:2015-Q1, qd-925-thai-binh:year-2015'),
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
  dueAt: z.string().nullable().describe('issue before this instant: compilation.issueWithinWorkingDays working days after the round’s deadline; null for a year or a review'),
  overdue: z.boolean().describe('a draft at or past dueAt, or a report issued at or past it'),
  number: z.number().int().nullable().describe('the number in the issuer’s register, once issued'),
  documentNumber: z.string().nullable().describe('e.g. 05/BC-STTTT, once issued'),
  issuedAt: z.string().nullable(),
  documents: z.object({ docx: z.string(), xlsx: z.string() }).describe('download addresses (staff with a reading role)'),
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
      value: z.string().nullable().describe('the province figure; null when nothing was reported (no data is not 0)'),
      reported: z.number().int(),
      asked: z.number().int(),
    }),
  ),
  withoutFormData: z.number().int().describe('units that reported a file without the form'),
  warnings: z.array(z.string()),
  model: compiledReportModelSchema.describe('the whole compiled model (domain/compilation/model.ts)'),
});
export type CompiledReportDetail = z.infer<typeof CompiledReportDetail>;

const isoIn = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true })!;
const inZone = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toISO({ suppressMilliseconds: true })!;

/** Where a report's files are downloaded from (the API route; pages link to it with their cookie). */
export function documentPath(id: string, kind: 'docx' | 'xlsx'): string {
  return `/api/compiled-reports/${encodeURIComponent(id)}/${kind}`;
}

export function summaryOf(report: CompiledReportRecord, program: Pick<Program, 'calendar' | 'compilation'>, now: number): CompiledReportSummary {
  const { model, state } = report;
  const zone = model.timeZone;
  const dueAt = issueDueAt(model, { calendar: program.calendar, ...(program.compilation ? { issueWithinWorkingDays: program.compilation.issueWithinWorkingDays } : {}) });
  const issued = state.status === 'issued' ? state : null;
  return {
    id: report.id,
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
    overdue: issueOverdue(dueAt, state, now),
    number: issued?.number ?? null,
    documentNumber: issued ? documentNumber(issued.number, model.issuing.symbol) : null,
    issuedAt: issued ? inZone(issued.issuedAt, zone) : null,
    documents: { docx: documentPath(report.id, 'docx'), xlsx: documentPath(report.id, 'xlsx') },
  };
}

export function detailOf(report: CompiledReportRecord, program: Pick<Program, 'calendar' | 'compilation'>, now: number): CompiledReportDetail {
  const { model, state } = report;
  return {
    ...summaryOf(report, program, now),
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
        reported: i.province.reported,
        asked: i.province.asked,
      })),
    ),
    withoutFormData: model.withoutFormData.length,
    warnings: model.warnings,
    model,
  };
}
