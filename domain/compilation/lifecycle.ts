import { DateTime } from 'luxon';
import { z } from 'zod';
import { normaliseText } from '../forms/values';
import type { CompiledReportModel } from './model';

/**
 * A compiled report's life: a draft the coordinator edits (introduction, conclusions) and that is
 * recompiled when late reports arrive, then issued once with its number and date, after which nothing
 * changes. Phase 2 wires issuing to the web page and makes the issued report an obligation towards
 * UBND tỉnh and the Ministry; the rules live here so the repository and any entry point share them.
 */

const isoInstant = z.iso.datetime({ offset: true });

/** The longest introduction or conclusions (characters, after NFC and trimming): several pages. */
export const REPORT_TEXT_MAX_CHARS = 20_000;

/** Editable text: NFC, trimmed, up to REPORT_TEXT_MAX_CHARS characters. */
export const reportTextSchema = z
  .string()
  .transform(normaliseText)
  .pipe(z.string().max(REPORT_TEXT_MAX_CHARS, { error: (iss) => `is too long (more than ${String(iss.maximum)} characters); shorten it` }));

export const reportEditsSchema = z
  .strictObject({ introduction: reportTextSchema.optional(), conclusions: reportTextSchema.optional() })
  .refine((e) => e.introduction !== undefined || e.conclusions !== undefined, { error: 'nothing to change: give introduction and/or conclusions' });
export type ReportEdits = z.input<typeof reportEditsSchema>;

/** Who signs: capacity and position, one printed line each ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"), and the name. */
export const signerSchema = z.strictObject({
  title: z.array(z.string().trim().min(1)).min(1, { error: 'give the signer’s position, e.g. ["GIÁM ĐỐC"] or ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]' }),
  name: z.string().transform(normaliseText).pipe(z.string().min(1, { error: 'give the signer’s full name' })),
});
export type Signer = z.infer<typeof signerSchema>;

export const issueRequestSchema = z.strictObject({
  /** The number in the issuer's register of outgoing documents for the year (Decree 30/2020: from 01 each 1 January). */
  number: z.int().min(1).max(99_999),
  issuedAt: isoInstant,
  issuedBy: z.string().trim().min(1),
  /** Decree 30/2020, Appendix I, II.7: an issued document carries its signer's position and full name. */
  signer: signerSchema,
});
export type IssueRequest = z.infer<typeof issueRequestSchema>;

export const reportStateSchema = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('draft'), introduction: z.string(), conclusions: z.string() }),
  z.strictObject({
    status: z.literal('issued'),
    introduction: z.string(),
    conclusions: z.string(),
    number: z.int().min(1),
    issuedAt: isoInstant,
    issuedBy: z.string(),
    signer: signerSchema,
  }),
]);
export type ReportState = z.infer<typeof reportStateSchema>;

export class ReportAlreadyIssuedError extends Error {
  override name = 'ReportAlreadyIssuedError';
}

/** "06/5/2014": the day with two digits, the month with two only for January and February (Decree 30/2020, Appendix I, II.4). */
export function shortDateVi(isoDate: string): string {
  const [y, m, d] = isoDate.slice(0, 10).split('-').map(Number) as [number, number, number];
  return `${String(d).padStart(2, '0')}/${m < 3 ? String(m).padStart(2, '0') : m}/${y}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLocaleLowerCase('vi') + text.slice(1);
}

/**
 * What the report reports on, as the opening and closing sentences say it: "kết quả thực hiện quý I năm
 * 2015", "kết quả tổng hợp báo cáo đột xuất về …" (a round without quarters), "sơ kết 4 năm thực hiện …".
 */
export function reportSubject(model: CompiledReportModel): string {
  if (model.scope.kind === 'review') return lowerFirst(model.title.vi);
  if (model.scope.kind === 'round' && model.scope.quarter === undefined) return `kết quả tổng hợp ${lowerFirst(model.period.vi)}`;
  return `kết quả thực hiện ${model.period.vi}`;
}

/** The opening paragraph a draft starts with: the legal basis, then what is reported. */
export function defaultIntroduction(model: CompiledReportModel): string {
  const src = model.program.source;
  const basis = src
    ? `Thực hiện ${/^\d/.test(src.reference) ? `Quyết định số ${src.reference}` : src.reference}${src.date ? ` ngày ${shortDateVi(src.date)}` : ''}` +
      `${src.issuer ? ` của ${src.issuer.vi}` : ''} phê duyệt ${model.program.title.vi}`
    : `Thực hiện ${model.program.title.vi}`;
  return `${basis}; trên cơ sở báo cáo của các cơ quan, đơn vị, ${model.program.coordinator.name.vi} báo cáo ${reportSubject(model)} như sau:`;
}

export function newDraft(model: CompiledReportModel): ReportState {
  return { status: 'draft', introduction: defaultIntroduction(model), conclusions: '' };
}

/** Applies the coordinator's edits to a draft; an issued report refuses them. */
export function editDraft(state: ReportState, edits: ReportEdits): ReportState {
  if (state.status === 'issued')
    throw new ReportAlreadyIssuedError(`report ${state.number} was issued on ${state.issuedAt}; an issued report cannot be edited, issue a new one instead`);
  const e = reportEditsSchema.parse(edits);
  return { ...state, introduction: e.introduction ?? state.introduction, conclusions: e.conclusions ?? state.conclusions };
}

export function issueDraft(state: ReportState, request: IssueRequest): ReportState {
  if (state.status === 'issued') throw new ReportAlreadyIssuedError(`report already issued as number ${state.number} on ${state.issuedAt}`);
  const r = issueRequestSchema.parse(request);
  return { status: 'issued', introduction: state.introduction, conclusions: state.conclusions, number: r.number, issuedAt: r.issuedAt, issuedBy: r.issuedBy, signer: r.signer };
}

/** "Số: 05/BC-STTTT": numbers below 10 get a leading 0 (Decree 30/2020, Appendix I, II.3; Appendix III: BC = báo cáo). */
export function documentNumber(number: number | null, symbol: string): string {
  return `${number === null ? '' : String(number).padStart(2, '0')}/BC-${symbol}`;
}

/** The local civil date of an instant in the program's zone. */
export function localDate(instant: string, zone: string): { day: number; month: number; year: number } {
  const dt = DateTime.fromISO(instant, { zone });
  return { day: dt.day, month: dt.month, year: dt.year };
}
