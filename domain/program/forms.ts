import { z } from 'zod';
import { slugSchema, unitCategorySchema } from './ids';
import { localizedTextSchema } from './localized-text';

/**
 * Report forms as program data (issue #15). Decision 925 asks every unit to evaluate *what it did* each
 * quarter (Art. 2.5) and the coordinator to compile it (Art. 2.1); a form says what that evaluation
 * holds: free-text sections (optionally one text per focal task) and indicator tables whose figures the
 * compilation adds up. The decision prescribes no form, so every form in a program file is the
 * province's (or the project's) choice, and says so in its `basis`.
 *
 * Cross-references (task numbers, unit ids, categories, unique ids) are checked with the rest of the
 * program in ./cross-references.ts; what a unit may submit is built from a form by domain/forms.
 */

/** The rounds whose reports carry a form. Budget appraisal and plan approval are decisions, not reports. */
export const formRoundKindSchema = z.enum(['annual-plan', 'quarterly-report', 'adhoc', 'preliminary-review', 'final-review']);
export type FormRoundKind = z.infer<typeof formRoundKindSchema>;

/**
 * Who fills a part of a form: units of these categories and these units (either list may be empty, not
 * both). Leaving `filledBy` out means every unit the round asks. Units outside it do not see the part.
 */
export const filledBySchema = z
  .strictObject({
    categories: z.array(unitCategorySchema).default([]),
    units: z.array(slugSchema).default([]),
  })
  .refine((f) => f.categories.length + f.units.length > 0, {
    error: 'say who fills it: list categories and/or unit ids, or leave filledBy out for every unit the round asks',
  });
export type FilledBy = z.infer<typeof filledBySchema>;

/**
 * What a figure is. count: whole number ≥ 0 (events, publications, delegations); amount-vnd: whole
 * đồng ≥ 0 (VND has no subunit in use); percentage: 0–100 with at most 2 decimals; text: free text.
 */
export const indicatorTypeSchema = z.enum(['count', 'amount-vnd', 'percentage', 'text']);
export type IndicatorType = z.infer<typeof indicatorTypeSchema>;

/**
 * How the compilation combines the units' values. sum: the total; average: the mean over the units
 * that gave a value; count: how many units gave something (a number above 0, a non-empty text);
 * list: every unit's value, by unit.
 */
export const aggregationSchema = z.enum(['sum', 'average', 'count', 'list']);
export type Aggregation = z.infer<typeof aggregationSchema>;

/** Which aggregations make sense for a type: percentages do not add up, texts have no mean. */
export const AGGREGATIONS_BY_TYPE: Record<IndicatorType, readonly Aggregation[]> = {
  count: ['sum', 'average', 'count', 'list'],
  'amount-vnd': ['sum', 'average', 'count', 'list'],
  percentage: ['average', 'count', 'list'],
  text: ['count', 'list'],
};

/** Default and ceiling of a text indicator's length, in characters after NFC normalisation. */
export const TEXT_INDICATOR_MAX_LENGTH = 2_000;

export const indicatorSchema = z
  .strictObject({
    id: slugSchema,
    name: localizedTextSchema,
    /** As printed in the "Đơn vị tính" column ("sự kiện" / "events"). Defaults by type: đồng, %, none. */
    unitOfMeasure: localizedTextSchema.optional(),
    type: indicatorTypeSchema,
    aggregation: aggregationSchema,
    filledBy: filledBySchema.optional(),
    /** A unit asked for this indicator must give a value (0 is a value). */
    required: z.boolean().default(true),
    /** Focal task numbers this figure measures, for readers and the compiled report. */
    tasks: z.array(z.int().positive()).default([]),
    /** Text only: the most characters a unit may write. */
    maxLength: z.int().min(1).max(20_000).optional(),
    /** Count only: a ceiling that catches typos (10,000 events in a quarter). */
    max: z.int().min(1).optional(),
    guidance: localizedTextSchema.optional(),
  })
  .superRefine((ind, ctx) => {
    const allowed = AGGREGATIONS_BY_TYPE[ind.type];
    if (!allowed.includes(ind.aggregation))
      ctx.addIssue({
        code: 'custom',
        path: ['aggregation'],
        message: `"${ind.aggregation}" does not fit a ${ind.type} indicator; use one of: ${allowed.join(', ')}`,
      });
    if (ind.maxLength !== undefined && ind.type !== 'text')
      ctx.addIssue({ code: 'custom', path: ['maxLength'], message: `maxLength is for text indicators; remove it from this ${ind.type} indicator` });
    if (ind.max !== undefined && ind.type !== 'count')
      ctx.addIssue({ code: 'custom', path: ['max'], message: `max is for count indicators; remove it from this ${ind.type} indicator` });
  });
export type Indicator = z.infer<typeof indicatorSchema>;

export const indicatorTableSchema = z.strictObject({
  id: slugSchema,
  title: localizedTextSchema,
  indicators: z.array(indicatorSchema).min(1, { error: 'a table needs at least one indicator' }),
});
export type IndicatorTable = z.infer<typeof indicatorTableSchema>;

/**
 * A free-text part of the report. With `tasks`, a unit writes one text per focal task it has something
 * to say about (and may add a general text); the compilation files each text under its task.
 */
export const formSectionSchema = z.strictObject({
  id: slugSchema,
  title: localizedTextSchema,
  guidance: localizedTextSchema.optional(),
  tasks: z.array(z.int().positive()).default([]),
  filledBy: filledBySchema.optional(),
  /** A unit asked for this section must write something in it (a general text or one task's text). */
  required: z.boolean().default(false),
  /** Characters per text, after NFC normalisation. */
  maxLength: z.int().min(1).max(50_000).default(8_000),
});
export type FormSection = z.infer<typeof formSectionSchema>;

export const reportFormSchema = z
  .strictObject({
    /** What the report is about; the compiled report's summary line (trích yếu) starts with it. */
    title: localizedTextSchema,
    /** Where the form comes from: the decision's words, or the program's own assumption. Shown on templates. */
    basis: localizedTextSchema.optional(),
    sections: z.array(formSectionSchema).default([]),
    tables: z.array(indicatorTableSchema).default([]),
  })
  .refine((f) => f.sections.length + f.tables.length > 0, { error: 'a form needs at least one section or indicator table' });
export type ReportForm = z.infer<typeof reportFormSchema>;

/** One form per round kind; a kind without a form keeps today's file-only submissions. */
export const reportFormsSchema = z.partialRecord(formRoundKindSchema, reportFormSchema);
export type ReportForms = z.infer<typeof reportFormsSchema>;

/**
 * How the coordinator's compiled reports are issued: the parts of an administrative document that are
 * the province's data, not code (Decree 30/2020/NĐ-CP, Appendix I, part I, section II: issuing body,
 * number and symbol, place, signature block, recipients). Absent: the issuing body is the coordinator.
 */
export const compilationSettingsSchema = z.strictObject({
  issuer: z
    .strictObject({
      /** The body directly above the issuer (cơ quan chủ quản), as printed, e.g. "UBND TỈNH THÁI BÌNH". */
      parent: z.string().trim().min(1).optional(),
      /** The issuing body as printed (a line break, "\n", splits a long name); default: the coordinator's Vietnamese name in capitals. */
      name: z.string().trim().min(1).optional(),
      /** The issuer's abbreviation in the symbol: "STTTT" gives "Số: …/BC-STTTT" (Appendix III: BC = báo cáo). */
      symbol: z
        .string()
        .regex(/^[A-ZĐ0-9]+(?:-[A-ZĐ0-9]+)*$/, {
          error: (iss) => `"${String(iss.input)}" is not a document symbol; use capitals and digits joined by hyphens, e.g. STTTT`,
        })
        .optional(),
    })
    .prefault({}),
  /** The place in the date line: "Thái Bình, ngày … tháng … năm …". */
  place: z.string().trim().min(1).optional(),
  signer: z
    .strictObject({
      /** Capacity and position, one printed line each: ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]. */
      title: z.array(z.string().trim().min(1)).min(1).default(['GIÁM ĐỐC']),
      /** Left empty, the draft keeps the space for it. */
      name: z.string().trim().min(1).optional(),
    })
    .prefault({}),
  /**
   * Unit or addressee ids the issued report is owed to (printed "để báo cáo" under "Nơi nhận"). Phase 2
   * makes the issued report an obligation towards them.
   */
  sendTo: z.array(slugSchema).default([]),
  /** Unit or addressee ids that get a copy for their information. */
  copyTo: z.array(slugSchema).default([]),
  /** After "Lưu:": the archive (VT, văn thư) and the drafting office's abbreviation. */
  archive: z.string().trim().min(1).default('VT'),
  /** Working days after a round's deadline within which its compiled report is to be issued. */
  issueWithinWorkingDays: z.int().min(1).max(120).default(10),
  /**
   * The year's compiled report: issued within this many working days after 31 December of the year
   * (domain/compilation/obligation.ts, periodReportDueAt). Decision 925 sets no date for the yearly
   * compilation ("hằng năm", Art. 2.1); absent, 10 (YEAR_REPORT_WITHIN_WORKING_DAYS), as for a round's
   * report: the kybao project's assumption. (Optional rather than defaulted here: a default would change
   * every loaded program's parsed text, hence its version, and recorded histories name versions.)
   */
  yearReport: z.strictObject({ issueWithinWorkingDays: z.int().min(1).max(120) }).optional(),
  /**
   * A review's (sơ kết / tổng kết) compiled report: issued within this many working days after 31
   * December of the review's last year. Decision 925 asks for the reviews ("định kỳ sơ kết, tổng kết",
   * Art. 2.1) but sets no date; absent, 20 (REVIEW_REPORT_WITHIN_WORKING_DAYS: a review looks back over
   * several years), the kybao project's assumption.
   */
  reviewReport: z.strictObject({ issueWithinWorkingDays: z.int().min(1).max(120) }).optional(),
});
export type CompilationSettings = z.infer<typeof compilationSettingsSchema>;

/** `compilation.yearReport.issueWithinWorkingDays` when the program file gives none (the kybao project's assumption). */
export const YEAR_REPORT_WITHIN_WORKING_DAYS = 10;
/** `compilation.reviewReport.issueWithinWorkingDays` when the program file gives none (the kybao project's assumption). */
export const REVIEW_REPORT_WITHIN_WORKING_DAYS = 20;
