import { z } from 'zod';
import { indicatorValueSchema } from '../forms/values';
import { aggregationSchema, formRoundKindSchema, indicatorTypeSchema } from '../program/forms';
import { unitCategorySchema } from '../program/ids';
import { localizedTextSchema } from '../program/localized-text';
import { complianceStatusSchema } from './input';

/**
 * The compiled report: everything the coordinator's document says, as data. It is computed by
 * ./compile.ts (pure), stored as JSON with the report (infra/db/compiled-reports) and rendered to .docx
 * and .xlsx (documents/). It carries the names it prints (units, tasks, indicators, the issuing body)
 * so a stored report renders the same after the program file has changed.
 *
 * Numbers are decimal strings with "." (exact integers for sums and counts; averages rounded half up,
 * with the exact fraction beside them); instants are ISO 8601 with their offset; the document shows
 * them in `timeZone`.
 */

const isoInstant = z.iso.datetime({ offset: true });
const text = localizedTextSchema;

export const reportScopeSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('round'),
    roundId: z.string(),
    roundKey: z.string(),
    roundKind: formRoundKindSchema,
    year: z.int(),
    quarter: z.int().min(1).max(4).optional(),
  }),
  z.strictObject({ kind: z.literal('year'), year: z.int() }),
  /** Sơ kết (preliminary) or tổng kết (final) over the program years fromYear..toYear. */
  z.strictObject({ kind: z.literal('review'), review: z.enum(['preliminary', 'final']), fromYear: z.int(), toYear: z.int() }),
]);
export type ReportScope = z.infer<typeof reportScopeSchema>;

export const complianceCountsSchema = z.strictObject({
  /** Obligations (unit × round). */
  asked: z.int(),
  onTime: z.int(),
  late: z.int(),
  missing: z.int(),
  /** (onTime + late) / asked, percent with 1 decimal, half up; null when nothing was asked. */
  completionPercent: z.string().nullable(),
  /** onTime / asked, percent with 1 decimal, half up; null when nothing was asked. */
  timelinessPercent: z.string().nullable(),
});
export type ComplianceCounts = z.infer<typeof complianceCountsSchema>;

export const complianceCellSchema = z.strictObject({
  roundId: z.string(),
  status: complianceStatusSchema,
  dueAt: isoInstant,
  submittedAt: isoInstant.nullable(),
  /** Calendar days late in the program's zone: a report due "before the 25th" sent on the 25th is 1 day late. */
  lateDays: z.int().min(0),
});
export type ComplianceCell = z.infer<typeof complianceCellSchema>;

export const complianceSchema = z.strictObject({
  /** The columns of the matrix, in deadline order. */
  rounds: z.array(z.strictObject({ roundId: z.string(), key: z.string(), year: z.int(), title: text, deadline: isoInstant })),
  units: z.array(
    z.strictObject({
      unitId: z.string(),
      name: text,
      category: unitCategorySchema,
      /** One cell per round, in the order of `rounds`; null where the round did not ask the unit. */
      cells: z.array(complianceCellSchema.nullable()),
      counts: complianceCountsSchema,
      /** Timeliness per year (over a year or a review period; one entry for a single round). */
      byYear: z.array(z.strictObject({ year: z.int(), counts: complianceCountsSchema })),
    }),
  ),
  byCategory: z.array(z.strictObject({ category: unitCategorySchema, counts: complianceCountsSchema })),
  totals: complianceCountsSchema,
});
export type Compliance = z.infer<typeof complianceSchema>;

export const observationSchema = z.strictObject({ unitId: z.string(), roundId: z.string(), value: indicatorValueSchema });
export type Observation = z.infer<typeof observationSchema>;

export const aggregateSchema = z.strictObject({
  /** Obligations (unit × round) this indicator was asked in, including missing units. */
  asked: z.int(),
  /** Values that went into the figure (units that sent the form and gave a value). */
  reported: z.int(),
  /**
   * sum: the exact total; count: how many values were above 0 or non-empty; average: the mean rounded
   * half up (VND to whole đồng, counts and percentages to 2 decimals); list: null. Null too when
   * nothing was reported (no data is not zero).
   */
  value: z.string().nullable(),
  /** average only: the exact mean as a fraction in lowest terms. */
  exact: z.strictObject({ numerator: z.string(), denominator: z.string() }).optional(),
});
export type Aggregate = z.infer<typeof aggregateSchema>;

export const compiledIndicatorSchema = z.strictObject({
  id: z.string(),
  name: text,
  unitOfMeasure: text.nullable(),
  type: indicatorTypeSchema,
  aggregation: aggregationSchema,
  tasks: z.array(z.int()),
  province: aggregateSchema,
  byCategory: z.array(z.strictObject({ category: unitCategorySchema, aggregate: aggregateSchema })),
  /** Every value counted, by unit (program order) then round: the list itself for list indicators. */
  observations: z.array(observationSchema),
});
export type CompiledIndicator = z.infer<typeof compiledIndicatorSchema>;

export const textEntrySchema = z.strictObject({ unitId: z.string(), roundId: z.string(), text: z.string() });
export type TextEntry = z.infer<typeof textEntrySchema>;

export const compiledSectionSchema = z.strictObject({
  id: z.string(),
  title: text,
  /** Texts not tied to a task. */
  general: z.array(textEntrySchema),
  /** Only the section's tasks that some unit wrote about, in task order. */
  tasks: z.array(z.strictObject({ number: z.int(), title: text, entries: z.array(textEntrySchema) })),
  /** The section's tasks nobody wrote about. */
  tasksWithoutEntries: z.array(z.int()),
});
export type CompiledSection = z.infer<typeof compiledSectionSchema>;

/** The issuing block of the document (Decree 30/2020/NĐ-CP, Appendix I), resolved from the program. */
export const issuingSchema = z.strictObject({
  parent: z.string().nullable(),
  name: z.string(),
  symbol: z.string(),
  place: z.string().nullable(),
  signer: z.strictObject({ title: z.array(z.string()), name: z.string().nullable() }),
  /** "Nơi nhận:" lines, without the leading dash and closing semicolon. */
  recipients: z.array(z.strictObject({ id: z.string(), name: z.string(), purpose: z.enum(['report', 'copy']) })),
  archive: z.string(),
});
export type Issuing = z.infer<typeof issuingSchema>;

export const compiledReportModelSchema = z.strictObject({
  schemaVersion: z.literal(1),
  program: z.strictObject({
    id: z.string(),
    title: text,
    /** The unit that compiles and issues (Sở TT&TT), by its name in running text. */
    coordinator: z.strictObject({ id: z.string(), name: text }),
    source: z.strictObject({ reference: z.string(), date: z.string().nullable(), issuer: text.nullable() }).nullable(),
  }),
  scope: reportScopeSchema,
  /** The period in words: "quý I năm 2015", "năm 2015", "giai đoạn 2014 – 2017". */
  period: text,
  /** The summary line under "BÁO CÁO" (trích yếu). */
  title: text,
  timeZone: z.string(),
  compiledAt: isoInstant,
  /** The form's round kind whose data the figures and texts come from; null when no form applies. */
  formKind: formRoundKindSchema.nullable(),
  issuing: issuingSchema,
  compliance: complianceSchema,
  missing: z.array(z.strictObject({ unitId: z.string(), name: text, category: unitCategorySchema, rounds: z.array(z.string()) })),
  tables: z.array(z.strictObject({ id: z.string(), title: text, indicators: z.array(compiledIndicatorSchema) })),
  sections: z.array(compiledSectionSchema),
  /** Units that reported (on time or late) with a file but no form data, by round key. */
  withoutFormData: z.array(z.strictObject({ unitId: z.string(), roundId: z.string() })),
  /** Values left out because they no longer fit the form (it changed after they were submitted). */
  warnings: z.array(z.string()),
});
export type CompiledReportModel = z.infer<typeof compiledReportModelSchema>;
