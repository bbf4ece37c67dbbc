import { z } from 'zod';
import { calendarPolicySchema } from '../calendar/policy';
import { roundKindSchema } from '../calendar/round-schedule';
import { escalationStepSchema } from '../program/schema';

/**
 * The contract of a reporting round: what a parent (or a coordinator) starts it with, the human actions
 * it accepts, and what it reports. Workflow validators parse Update payloads with these schemas, so a
 * malformed payload is rejected with the path of the bad field and the workflow never sees it.
 */
/** The calendar's scheduled kinds, plus the rounds a cycle opens on demand. */
export const RoundKind = z.enum([...roundKindSchema.options, 'adhoc', 'budget-revision']);
export type RoundKind = z.infer<typeof RoundKind>;

const isoInstant = z.iso.datetime({ offset: true });

/** How reminders and escalations are placed around a deadline: the calendar's NoticeRules, as a schema. */
export const NoticeRulesSchema = z.object({
  timeZone: z.string().min(1),
  calendar: calendarPolicySchema,
  reminderOffsets: z.array(z.number().int().min(1)),
  reminderAt: z.string().regex(/^\d{2}:\d{2}$/),
  escalationSteps: z.array(escalationStepSchema),
  escalationAt: z.string().regex(/^\d{2}:\d{2}$/),
});

export const RoundInput = z.object({
  roundId: z.string().min(1),
  programId: z.string().min(1),
  year: z.number().int(),
  kind: RoundKind,
  title: z.object({ vi: z.string(), en: z.string() }),
  subject: z.string().optional(),
  coordinatorUnitId: z.string().min(1),
  unitIds: z.array(z.string().min(1)).min(1),
  deadline: isoInstant,
  /** The round closes at this instant at the latest (it closes earlier when every unit has submitted). */
  closeAt: isoInstant.optional(),
  /** Planned actions before this instant are never sent: the round started after they were due. */
  trackFrom: isoInstant.optional(),
  /** Program units that are not in this round, so a validator can tell "unknown" from "not in the round". */
  otherProgramUnitIds: z.array(z.string()).default([]),
  rules: NoticeRulesSchema,
  /** Continue as new after this many history events (lower in tests to exercise it). */
  historySoftLimit: z.number().int().min(200).max(40_000).default(4_000),
});
export type RoundInput = z.input<typeof RoundInput>;
export type ParsedRoundInput = z.output<typeof RoundInput>;

export const SubmitReport = z.object({
  unitId: z.string().min(1, 'unitId is required'),
  submittedBy: z.string().min(1, 'submittedBy is required'),
  /** Where the report is kept (a file reference or URL); the round stores the reference, not the file. */
  reference: z.string().min(1, 'reference is required'),
  note: z.string().max(2000).optional(),
  /** A budget estimate in VND that comes with an annual plan, as digits (no separators). */
  amountVnd: z.string().regex(/^\d{1,15}$/, 'amountVnd must be a whole number of VND, digits only').optional(),
});
export type SubmitReport = z.infer<typeof SubmitReport>;

export const ExtendDeadline = z.object({
  unitId: z.string().min(1, 'unitId is required'),
  until: isoInstant,
  reason: z.string().min(3, 'a reason of at least 3 characters is required'),
  grantedBy: z.string().min(1, 'grantedBy is required'),
});
export type ExtendDeadline = z.infer<typeof ExtendDeadline>;

export const ObligationStatus = z.enum(['pending', 'submitted', 'late', 'overdue', 'missing', 'extended', 'not-tracked']);
export type ObligationStatus = z.infer<typeof ObligationStatus>;

export interface UnitRoundStatus {
  unitId: string;
  dueAt: string;
  status: ObligationStatus;
  submittedAt: string | null;
  lateByMs: number | null;
  submissions: Array<{ version: number; at: string; reference: string; by: string; amountVnd?: string }>;
  extensions: Array<{ until: string; reason: string; by: string; at: string }>;
  sent: string[];
}

export interface RoundStatus {
  roundId: string;
  kind: RoundKind;
  title: { vi: string; en: string };
  deadline: string;
  closeAt: string;
  phase: 'open' | 'closed';
  closedAt: string | null;
  counts: Record<ObligationStatus, number>;
  completionRate: number;
  timelinessRate: number;
  units: UnitRoundStatus[];
}

export interface SubmissionReceipt {
  roundId: string;
  unitId: string;
  version: number;
  submittedAt: string;
  onTime: boolean;
  lateByMs: number;
}

/** Turns a zod failure into one line naming every bad field, for validators and CLIs alike. */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'payload'}: ${i.message}`).join('; ');
}
