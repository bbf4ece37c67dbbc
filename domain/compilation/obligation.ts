import { z } from 'zod';
import { addWorkingDays } from '../calendar/working-days';
import { instantAt, localDateOf, plusDays } from '../calendar/local-date';
import type { CalendarPolicy } from '../calendar/policy';
import { reportTextSchema, signerSchema } from './lifecycle';

/**
 * The compiled report as the coordinator's own obligation (issue #15, Decision 925 Art. 2.1: Sở TT&TT
 * compiles the units' results and reports to UBND tỉnh and the Ministry). The workflow that holds it
 * (workflows/compiled-report.ts), its clients (app/compiled-reports.ts) and the CLI share these shapes.
 */

const isoInstant = z.iso.datetime({ offset: true });
const actorSchema = z.string().trim().min(1, { error: 'say who acts (by)' }).max(200);

/**
 * When a round's compiled report is due. The decision gives no date; the program gives
 * `compilation.issueWithinWorkingDays` (N, default 10), counted like every other working-day offset in
 * kybao (domain/calendar/notices.ts): from the civil day D on which the round's deadline instant falls,
 * in the program's zone, the N-th working day strictly after D is the last day to issue, and the report
 * is due at 00:00 of the next calendar day (at that instant it is late, as for the units' "before the
 * 25th"). Example: Q1 2015, deadline 2015-03-25T00:00+07:00 (D = Wed 25 Mar), N = 10: the working days
 * after D are 26, 27, 30, 31 Mar, 1, 2, 3, 6, 7, 8 Apr; due 2015-04-09T00:00:00+07:00.
 *
 * @param roundDeadlineMs the round's deadline instant (epoch ms)
 * @returns the due instant (epoch ms)
 */
export function compiledReportDueAt(roundDeadlineMs: number, withinWorkingDays: number, calendar: CalendarPolicy, timeZone: string): number {
  if (!Number.isInteger(withinWorkingDays) || withinWorkingDays < 1) throw new RangeError(`issueWithinWorkingDays must be a whole number ≥ 1, got ${withinWorkingDays}`);
  const lastDay = addWorkingDays(localDateOf(roundDeadlineMs, timeZone), withinWorkingDays, calendar);
  return instantAt(plusDays(lastDay, 1), '00:00', timeZone).toMillis();
}

/**
 * When a year's or a review's compiled report is due (the program's `compilation.yearReport` /
 * `compilation.reviewReport.issueWithinWorkingDays`, N; defaults 10 and 20, the kybao project's
 * assumption: Decision 925 sets no date). Counted as for a round's report, from the civil day 31
 * December of the period's last year: the N-th working day after it is the last day to issue, and the
 * report is due at 00:00 of the next day. Example: the year 2017, N = 10: 1 January 2018 is a holiday,
 * the working days are 2, 3, 4, 5, 8, 9, 10, 11, 12, 15 January; due 2018-01-16T00:00:00+07:00.
 *
 * @param toYear the last year the report covers (the year, or the review's last year)
 * @returns the due instant (epoch ms)
 */
export function periodReportDueAt(toYear: number, withinWorkingDays: number, calendar: CalendarPolicy, timeZone: string): number {
  return compiledReportDueAt(instantAt(`${toYear}-12-31`, '00:00', timeZone).toMillis(), withinWorkingDays, calendar, timeZone);
}

/** `report.edit`: the coordinator's new introduction and/or conclusions (NFC, at most 20,000 characters each). */
export const editReportRequestSchema = z
  .strictObject({ introduction: reportTextSchema.optional(), conclusions: reportTextSchema.optional(), by: actorSchema })
  .refine((e) => e.introduction !== undefined || e.conclusions !== undefined, { error: 'nothing to change: give introduction and/or conclusions' });
export type EditReportRequest = z.input<typeof editReportRequestSchema>;

/**
 * `report.issue`: the register number of the year (Decree 30/2020/NĐ-CP: from 01 each 1 January), who
 * signs, and when it was issued (default: the workflow's clock when the Update is handled).
 */
export const issueReportRequestSchema = z.strictObject({
  number: z.int({ error: 'the number is a whole number from 1 to 99999 (the register of outgoing documents)' }).min(1).max(99_999),
  signer: signerSchema,
  issuedAt: isoInstant.optional(),
  by: actorSchema,
});
export type IssueReportRequest = z.input<typeof issueReportRequestSchema>;

/** `report.recompile`: compile the draft again from the submissions now in the database. */
export const recompileReportRequestSchema = z.strictObject({ by: actorSchema });
export type RecompileReportRequest = z.input<typeof recompileReportRequestSchema>;

/** The period of a year's or a review's report (domain/compilation/model.ts, ReportScope without the round). */
export const periodScopeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('year'), year: z.int() }),
  z.strictObject({ kind: z.literal('review'), review: z.enum(['preliminary', 'final']), fromYear: z.int(), toYear: z.int() }),
]);
export type PeriodScope = z.infer<typeof periodScopeSchema>;

/**
 * The workflow's input: ids only (the program, the model and the rules are read by its first activity).
 * A round's report names its round (started by the round, workflows/round.ts); a year's or a review's
 * names its period (started by the cycle, workflows/cycle.ts), which is what it recompiles over.
 */
export const compiledReportInputSchema = z.union([
  z.strictObject({
    reportId: z.string().min(1),
    programId: z.string().min(1),
    /** The round whose report this is (scope "round"). */
    roundId: z.string().min(1),
  }),
  z.strictObject({ reportId: z.string().min(1), programId: z.string().min(1), scope: periodScopeSchema }),
]);
export type CompiledReportInput = z.infer<typeof compiledReportInputSchema>;

/** A notice the workflow sent the coordinator (or above): what, which step, at which planned instant (ISO, +07:00). */
export interface ReportNoticeSent {
  key: string;
  kind: 'reminder' | 'overdue' | 'escalation' | 'issued';
  step: number;
  at: string;
}

/** `report.status`, and the workflow's result. */
export interface CompiledReportStatus {
  reportId: string;
  /** The round whose report this is; null for a year's or a review's report. */
  roundId: string | null;
  /** planning: reading the program; draft: waiting to be issued; issued: issued, documents and mail under way; completed. */
  phase: 'planning' | 'draft' | 'issued' | 'completed';
  /** The due instant, ISO with the program's offset (null while planning). */
  dueAt: string | null;
  revision: number;
  number: number | null;
  issuedAt: string | null;
  /** The Update being handled now, if any (a second write is refused meanwhile). */
  busy: 'edit' | 'issue' | 'recompile' | null;
  notices: ReportNoticeSent[];
  /** The issued report's documents (paths relative to the repository root), once rendered. */
  documents: { docx: string; xlsx: string } | null;
}
