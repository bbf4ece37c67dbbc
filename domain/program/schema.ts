import { IANAZone } from 'luxon';
import { z } from 'zod';
import { calendarPolicySchema, existsEveryYear, isMonthDay, localTimeSchema } from '../calendar/policy';
import { checkCrossReferences } from './cross-references';
import { compilationSettingsSchema, reportFormsSchema } from './forms';
import { slugSchema, unitCategorySchema } from './ids';
import { describeValue } from './error-map';
import { languageSchema, localizedTextSchema } from './localized-text';
import { yearSchema } from './year';

/**
 * A reporting program as data: who takes part, what they owe and when. The decision's program is one
 * such file; a reorganised province (merged departments, abolished districts) is another file, not code.
 * Defaults make a small file work and come from the project's assumptions (shared/DOMAIN.md).
 */

export { slugSchema, unitCategorySchema, type UnitCategory } from './ids';

export const emailSchema = z.email({
  error: (iss) =>
    iss.input === undefined
      ? undefined
      : typeof iss.input === 'string'
        ? `invalid e-mail "${iss.input}"; write name@domain, e.g. contact.so-tttt@thaibinh.example`
        : `must be an e-mail address (name@domain, e.g. contact.so-tttt@thaibinh.example), got ${describeValue(iss.input)}`,
});

const mailboxSchema = z.strictObject({
  name: z.string().trim().min(1).optional(),
  email: emailSchema,
});
export type Mailbox = z.infer<typeof mailboxSchema>;

export const unitSchema = z.strictObject({
  id: slugSchema,
  category: unitCategorySchema,
  name: localizedTextSchema,
  /** Where reminders and receipts go: the unit's external-information desk. */
  contact: mailboxSchema,
  /** The head of the unit (thủ trưởng), who is answerable under the decision and gets the first escalation. */
  head: mailboxSchema,
  language: languageSchema.default('vi'),
  /** False for units that approve or receive but owe no plans or reports of their own (e.g. the provincial committee). */
  reports: z.boolean().default(true),
});
export type Unit = z.infer<typeof unitSchema>;

/** Decisions name collective leads ("UBND huyện, thành phố", "các cơ quan báo chí"); a group stands for them. */
export const unitGroupSchema = z
  .strictObject({
    id: slugSchema,
    name: localizedTextSchema,
    categories: z.array(unitCategorySchema).default([]),
    units: z.array(slugSchema).default([]),
  })
  .refine((g) => g.categories.length + g.units.length > 0, {
    error: 'a group needs members: list categories and/or unit ids',
  });
export type UnitGroup = z.infer<typeof unitGroupSchema>;

export const taskTimingSchema = z.enum(['yearly', 'quarterly', 'monthly', 'ad-hoc', 'once']);

export const focalTaskSchema = z.strictObject({
  number: z.int().min(1, { error: (iss) => `tasks are numbered from 1, as in the decision's table; got ${describeValue(iss.input)}` }),
  title: localizedTextSchema,
  /** A unit id or a group id. */
  lead: slugSchema,
  /** Unit or group ids. */
  coordinating: z.array(slugSchema).default([]),
  /** The decision's "và các đơn vị có liên quan": further units the lead brings in as needed. */
  othersConcerned: z.boolean().default(false),
  timing: taskTimingSchema.default('yearly'),
});
export type FocalTask = z.infer<typeof focalTaskSchema>;

/**
 * When a round is due, relative to its cycle year. `start-of-day` makes the deadline 00:00 on that day
 * ("before the 25th": the 24th is the last day); `end-of-day` makes it 00:00 on the next day ("by 15 Dec").
 */
export const dueDateRuleSchema = z
  .strictObject({
    month: z.int().min(1).max(12),
    day: z.int().min(1).max(31),
    yearOffset: z.int().min(-1).max(1).default(0),
    cutoff: z.enum(['start-of-day', 'end-of-day']).default('end-of-day'),
  })
  // Only a real month and day can be checked together; a bad month is reported on its own.
  .refine((r) => !isMonthDay(r.month, r.day) || existsEveryYear(r.month, r.day), {
    error: 'this day does not exist every year; choose a month and day that do (29 Feb is not allowed)',
    path: ['day'],
  });
export type DueDateRule = z.infer<typeof dueDateRuleSchema>;

const workingDaysMessage = (iss: { input?: unknown }) =>
  iss.input === undefined ? undefined : `must be a whole number of working days, at least 1 (like 3), got ${describeValue(iss.input)}`;
const workingDayOffsetsSchema = z.array(z.int({ error: workingDaysMessage }).min(1, { error: workingDaysMessage }));

function roundRule(title: { vi: string; en: string }, due: z.input<typeof dueDateRuleSchema>) {
  return z
    .strictObject({
      enabled: z.boolean().default(true),
      title: localizedTextSchema.default(title),
      due: dueDateRuleSchema.prefault(due),
      /** Replaces the program-wide reminder offsets for this round only. */
      reminderOffsets: workingDayOffsetsSchema.optional(),
    })
    .prefault({});
}

export const quarterlyRuleSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** The quarter is appended: "… quý I/2015", "…, Q1 2015". */
    title: localizedTextSchema.default({ vi: 'Báo cáo đánh giá tình hình thực hiện', en: 'Implementation report' }),
    /** 1..3: which month of the quarter holds the deadline. */
    monthOfQuarter: z.int().min(1).max(3).default(3),
    day: z
      .int()
      .min(1, { error: (iss) => `must be a day that exists in every month (1–28), got ${describeValue(iss.input)}` })
      .max(28, { error: (iss) => `must be a day that exists in every month (1–28), got ${describeValue(iss.input)}` })
      .default(25),
    cutoff: z.enum(['start-of-day', 'end-of-day']).default('start-of-day'),
    reminderOffsets: workingDayOffsetsSchema.optional(),
  })
  .prefault({});

export const roundsSchema = z
  .strictObject({
    annualPlan: roundRule(
      { vi: 'Kế hoạch và dự toán kinh phí năm', en: 'Annual plan and budget estimate' },
      { month: 12, day: 15, yearOffset: -1 },
    ),
    budgetAppraisal: roundRule(
      { vi: 'Thẩm định dự toán kinh phí', en: 'Budget appraisal' },
      { month: 1, day: 15 },
    ),
    approval: roundRule({ vi: 'Phê duyệt kế hoạch năm', en: 'Approval of the annual plan' }, { month: 1, day: 31 }),
    quarterly: quarterlyRuleSchema,
    preliminaryReview: roundRule({ vi: 'Sơ kết', en: 'Preliminary review' }, { month: 11, day: 30 }),
    finalReview: roundRule({ vi: 'Tổng kết', en: 'Final review' }, { month: 11, day: 30 }),
  })
  .prefault({});
export type Rounds = z.infer<typeof roundsSchema>;

export const remindersSchema = z
  .strictObject({
    offsetsWorkingDays: workingDayOffsetsSchema.default([7, 3, 1]),
    at: localTimeSchema.default('08:00'),
  })
  .prefault({});

export const escalationRoleSchema = z.enum(['head', 'coordinator', 'escalation-recipients', 'approving-authority']);
export type EscalationRole = z.infer<typeof escalationRoleSchema>;

export const escalationStepSchema = z.strictObject({
  afterWorkingDays: z.int().min(1, { error: 'escalation comes at least 1 working day after the deadline' }),
  notify: z.array(escalationRoleSchema).min(1, { error: 'say whom this step notifies' }),
});
export type EscalationStep = z.infer<typeof escalationStepSchema>;

export const escalationSchema = z
  .strictObject({
    at: localTimeSchema.default('08:00'),
    steps: z.array(escalationStepSchema).default([
      { afterWorkingDays: 1, notify: ['head'] },
      { afterWorkingDays: 3, notify: ['coordinator', 'escalation-recipients'] },
    ]),
  })
  .prefault({});

export const addresseeSchema = z.strictObject({
  id: slugSchema,
  name: localizedTextSchema,
  email: emailSchema.optional(),
});
export type Addressee = z.infer<typeof addresseeSchema>;

export const timeZoneSchema = z
  .string()
  .refine((zone) => IANAZone.isValidZone(zone), {
    error: (iss) => `unknown time zone "${String(iss.input)}"; use an IANA name such as Asia/Ho_Chi_Minh`,
  });

const programObjectSchema = z.strictObject({
  id: slugSchema,
  title: localizedTextSchema,
  /** The legal act the program comes from, for people reading reports and audit trails. */
  source: z
    .strictObject({
      reference: z.string().min(1),
      date: z.string().optional(),
      issuer: localizedTextSchema.optional(),
    })
    .optional(),
  period: z.strictObject({ firstYear: yearSchema, lastYear: yearSchema }),
  timeZone: timeZoneSchema.default('Asia/Ho_Chi_Minh'),
  units: z.array(unitSchema).min(1, { error: 'a program needs at least one unit' }),
  groups: z.array(unitGroupSchema).default([]),
  coordinator: slugSchema,
  appraiser: slugSchema,
  approvingAuthority: slugSchema,
  escalationRecipients: z
    .array(
      z.union([slugSchema, mailboxSchema], {
        error: (iss) =>
          iss.code === 'invalid_union'
            ? `must be a unit id (e.g. van-phong-ubnd) or a mailbox { name: …, email: … }, got ${describeValue(iss.input)}`
            : undefined,
      }),
    )
    .default([]),
  recipientsAbove: z.array(addresseeSchema).default([]),
  tasks: z.array(focalTaskSchema).default([]),
  calendar: calendarPolicySchema.prefault({}),
  reviews: z
    .strictObject({
      preliminaryYears: z.array(yearSchema).default([]),
      /** Defaults to the program's last year. */
      finalYear: yearSchema.optional(),
    })
    .prefault({}),
  rounds: roundsSchema,
  reminders: remindersSchema,
  escalation: escalationSchema,
  /** What units write in their reports, per round kind (./forms.ts). Absent: reports are files only. */
  forms: reportFormsSchema.optional(),
  /** How compiled reports are issued as administrative documents (./forms.ts). */
  compilation: compilationSettingsSchema.optional(),
});

export const programSchema = programObjectSchema
  // Runs even when fields are malformed, so one pass reports every problem in the file.
  .superRefine((p, ctx) => checkCrossReferences(p, ctx), {
    when: (payload) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value),
  })
  .transform((p) => ({ ...p, reviews: { ...p.reviews, finalYear: p.reviews.finalYear ?? p.period.lastYear } }));

export type ProgramInput = z.input<typeof programSchema>;
export type Program = z.output<typeof programSchema>;
/** The program before defaults derived from other fields are filled in (what cross-reference checks see). */
export type ProgramShape = z.output<typeof programObjectSchema>;
