import { z } from 'zod';
import { localizedTextSchema } from '../program/localized-text';
import { escalationRoleSchema } from '../program/schema';
import { isoDateSchema } from './policy';

/**
 * What a schedule says, as data that crosses into workflows and out to JSON: every instant twice, as
 * ISO-8601 with the program's offset (for people and logs) and as epoch ms (for timers).
 */

const instant = z.iso.datetime({ offset: true });

export const reminderSchema = z.object({
  offsetWorkingDays: z.int(),
  at: instant,
  atMs: z.int(),
});
export type Reminder = z.infer<typeof reminderSchema>;

export const escalationNoticeSchema = z.object({
  /** 1-based position in the program's escalation steps. */
  step: z.int().positive(),
  afterWorkingDays: z.int(),
  recipients: z.array(escalationRoleSchema),
  at: instant,
  atMs: z.int(),
});
export type EscalationNotice = z.infer<typeof escalationNoticeSchema>;

export const noticePlanSchema = z.object({
  reminders: z.array(reminderSchema),
  escalations: z.array(escalationNoticeSchema),
});
export type NoticePlan = z.infer<typeof noticePlanSchema>;

export const roundKindSchema = z.enum([
  'annual-plan',
  'budget-appraisal',
  'plan-approval',
  'quarterly-report',
  'preliminary-review',
  'final-review',
]);
export type RoundKind = z.infer<typeof roundKindSchema>;

/** Who owes the submission: every reporting unit, or one of the program's named roles. */
export const responsibleSchema = z.enum(['reporting-units', 'appraiser', 'approving-authority', 'coordinator']);
export type Responsible = z.infer<typeof responsibleSchema>;

export const scheduledRoundSchema = z.object({
  /** Stable id of the round, e.g. "2015-Q1", "2015-plan"; also the workflow id suffix. */
  roundKey: z.string(),
  kind: roundKindSchema,
  cycleYear: z.int(),
  quarter: z.int().min(1).max(4).optional(),
  title: localizedTextSchema,
  responsible: responsibleSchema,
  /** The last civil day on which a submission is on time. */
  lastDay: isoDateSchema,
  /** Set when the non-working-day policy moved the last day; the day the rule named. */
  shiftedFrom: isoDateSchema.optional(),
  /** Submissions at or after this instant are late. */
  deadline: instant,
  deadlineMs: z.int(),
  ...noticePlanSchema.shape,
});
export type ScheduledRound = z.infer<typeof scheduledRoundSchema>;

export const yearScheduleSchema = z.object({
  programId: z.string(),
  year: z.int(),
  timeZone: z.string(),
  /** False when the year is outside the program period; the rules were applied anyway. */
  inPeriod: z.boolean(),
  rounds: z.array(scheduledRoundSchema),
});
export type YearSchedule = z.infer<typeof yearScheduleSchema>;
