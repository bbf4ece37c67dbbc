import { z } from 'zod';
import { calendarPolicySchema } from '../calendar/policy';
import { roundKindSchema } from '../calendar/round-schedule';
import { formDataSchema } from '../forms/form-data';
import { escalationStepSchema } from '../program/schema';
import { ProgramRef } from '../program/outline';
import { Audience } from './audience';
import { MAX_ACTOR_CHARS, MAX_ID_CHARS, MAX_REFERENCE_CHARS, MAX_TEXT_CHARS, tooLong } from './limits';

/**
 * The contract of a reporting round: what a parent (or a coordinator) starts it with, the human actions
 * it accepts, and what it reports. Workflow validators parse Update payloads with these schemas, so a
 * malformed payload is rejected with the path of the bad field and the workflow never sees it.
 *
 * A round is one workflow (`round:<round id>`) that opens the round, starts its shards and sends the
 * digests addressed above the units (escalations to the coordinator), and one workflow per shard of at
 * most `shardSize` units (`round:<round id>:shard-<n>`) holding those units' obligations: submissions,
 * extensions, reminders, overdue marks and escalations to each unit's head. A round of more than
 * `shardGroupSize` shards starts groups of them instead (`round:<round id>:group-<n>`), each starting and
 * awaiting its own shards, so the round's history holds a few events per group, not per shard. Nothing in
 * any input, result or query grows with the number of units beyond a shard's.
 */
/** The calendar's scheduled kinds, plus the rounds a cycle opens on demand. */
export const RoundKind = z.enum([...roundKindSchema.options, 'adhoc', 'budget-revision']);
export type RoundKind = z.infer<typeof RoundKind>;

const isoInstant = z.iso.datetime({ offset: true });

/**
 * Units per shard workflow. A shard's history stays near 500 events when every unit submits twice, so a
 * full replay (after a worker restart or a cache eviction, the moment a burst is heaviest) takes a fraction
 * of a second rather than seconds; 10,000 units make 200 shards, which the round starts in one workflow
 * task, and 64 concurrent clients meet one shard's 10-Update limit rarely.
 */
export const DEFAULT_SHARD_SIZE = 50;

/**
 * Shards per group workflow, once a round has more shards than this. The round's history holds about 3.6
 * events per child it awaits (its start, its start confirmed, its result, and the tasks they wake), so
 * without groups it grew with the units (723 events at 10,000 units, the largest of the round: bench,
 * 0.2.2). With groups of 20 the round awaits one group per 1,000 units and a group at most 20 shards
 * (95 events at 10,000 units: bench, 0.2.3), so the round's own history stays below a shard's (about 575
 * events at most) up to about 150,000 units, and below Temporal's 10,240-event warning up to about 2.8
 * million.
 */
export const DEFAULT_SHARD_GROUP_SIZE = 20;

/**
 * Events after which a shard's run continues as new (it carries its units' state to the next run). A
 * shard's whole history is bounded by its units, but how far depends on how its submissions arrive: about
 * 420 events for 50 units when a burst brings several to each workflow task (1,000 units, 32 clients),
 * about 575 when each arrives alone (10,000 units: the same clients reach each shard a tenth as often;
 * bench, 0.2.3). Cutting runs at 300 events bounds the largest history at this limit plus the few events
 * of a handover, whatever the number of units or the arrival rate, and so the cost of a full replay after
 * a worker restart or a sticky-cache miss (bench, 0.2.4: 324 events at 1,000 units, 314 at 10,000). A
 * burst costs each shard a handover or two, while its decided writes drain, in which its new Updates are
 * refused as "opening" and the gateway sends them again (no time lost at 1,000 units: README, Benchmarks).
 */
export const DEFAULT_SHARD_HISTORY_LIMIT = 300;

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
  programRef: ProgramRef,
  year: z.number().int(),
  kind: RoundKind,
  title: z.object({ vi: z.string(), en: z.string() }),
  subject: z.string().optional(),
  coordinatorUnitId: z.string().min(1),
  /** Who owes the submission, resolved against `programRef` when the round opens. */
  audience: Audience,
  deadline: isoInstant,
  /** The round closes at this instant at the latest (it closes earlier when every unit has submitted). */
  closeAt: isoInstant.optional(),
  /** Planned actions before this instant are never sent: the round started after they were due. */
  trackFrom: isoInstant.optional(),
  rules: NoticeRulesSchema,
  /** Units per shard workflow. */
  shardSize: z.number().int().min(1).max(1_000).default(DEFAULT_SHARD_SIZE),
  /** Shards per group workflow when the round has more shards than this (DEFAULT_SHARD_GROUP_SIZE). */
  shardGroupSize: z.number().int().min(2).max(1_000).default(DEFAULT_SHARD_GROUP_SIZE),
  /** A shard's run continues as new after this many history events (DEFAULT_SHARD_HISTORY_LIMIT). */
  historySoftLimit: z.number().int().min(200).max(40_000).default(DEFAULT_SHARD_HISTORY_LIMIT),
});
export type RoundInput = z.input<typeof RoundInput>;
export type ParsedRoundInput = z.output<typeof RoundInput>;

/** What a round gives each of its shards; the shard reads its units from the database when it starts. */
export const ShardInput = z.object({
  roundId: z.string().min(1),
  /** 1-based. */
  shard: z.number().int().min(1),
  kind: RoundKind,
  coordinatorUnitId: z.string().min(1),
  deadline: isoInstant,
  closeAt: isoInstant.optional(),
  trackFrom: isoInstant,
  rules: NoticeRulesSchema,
  historySoftLimit: z.number().int().min(200).max(40_000).default(DEFAULT_SHARD_HISTORY_LIMIT),
  /** The round workflow, told of every new deadline instant an extension brings. */
  roundWorkflowId: z.string().min(1),
});
export type ShardInput = z.input<typeof ShardInput>;
export type ParsedShardInput = z.output<typeof ShardInput>;

/** What a round gives each group of its shards: the shards' numbers (1-based, inclusive) and what they share. */
export const ShardGroupInput = z
  .object({
    roundId: z.string().min(1),
    /** 1-based. */
    group: z.number().int().min(1),
    firstShard: z.number().int().min(1),
    lastShard: z.number().int().min(1),
    /** Every shard's input but its number. */
    shard: ShardInput.omit({ roundId: true, shard: true }),
  })
  .refine((g) => g.lastShard >= g.firstShard, { message: 'lastShard must not be before firstShard', path: ['lastShard'] });
export type ShardGroupInput = z.input<typeof ShardGroupInput>;

/** How far into the past a submission's arrival instant may lie when it reaches its workflow. */
export const MAX_ARRIVAL_AGE_MS = 15 * 60_000;
/** How far ahead of the workflow's clock an arrival instant may be (clocks of two machines). */
export const MAX_ARRIVAL_SKEW_MS = 60_000;

export const SubmitReport = z.object({
  unitId: z.string().min(1, 'unitId is required').max(MAX_ID_CHARS, tooLong('unitId', MAX_ID_CHARS)),
  submittedBy: z.string().min(1, 'submittedBy is required').max(MAX_ACTOR_CHARS, tooLong('submittedBy', MAX_ACTOR_CHARS)),
  /** Where the report is kept (a file reference or URL); the round stores the reference, not the file. */
  reference: z.string().min(1, 'reference is required').max(MAX_REFERENCE_CHARS, tooLong('reference', MAX_REFERENCE_CHARS)),
  note: z.string().max(MAX_TEXT_CHARS, tooLong('note', MAX_TEXT_CHARS)).optional(),
  /** A budget estimate in VND that comes with an annual plan, as digits (no separators). */
  amountVnd: z.string().regex(/^\d{1,15}$/, 'amountVnd must be a whole number of VND, digits only').optional(),
  /**
   * The unit's filled report form (issue #15). Its shape only: what the unit may put in it is the program's
   * form (domain/forms formSubmissionSchema), checked at the edge (app/submissions.ts) before it gets here.
   */
  formData: formDataSchema.optional(),
  /**
   * When the submission arrived at kybao (the web or CLI process that took it), which decides on time or
   * late; default: when the workflow takes it. Under a burst at the deadline the workflow may take it
   * seconds later, and that delay must not make a unit late.
   */
  receivedAt: isoInstant.optional(),
});
export type SubmitReport = z.infer<typeof SubmitReport>;

export const ExtendDeadline = z.object({
  unitId: z.string().min(1, 'unitId is required').max(MAX_ID_CHARS, tooLong('unitId', MAX_ID_CHARS)),
  until: isoInstant,
  reason: z.string().min(3, 'a reason of at least 3 characters is required').max(MAX_TEXT_CHARS, tooLong('reason', MAX_TEXT_CHARS)),
  grantedBy: z.string().min(1, 'grantedBy is required').max(MAX_ACTOR_CHARS, tooLong('grantedBy', MAX_ACTOR_CHARS)),
});
export type ExtendDeadline = z.infer<typeof ExtendDeadline>;

export const ObligationStatus = z.enum(['pending', 'submitted', 'late', 'overdue', 'missing', 'extended', 'not-tracked']);
export type ObligationStatus = z.infer<typeof ObligationStatus>;
export type StatusCounts = Record<ObligationStatus, number>;

export const emptyCounts = (): StatusCounts => ({ pending: 0, submitted: 0, late: 0, overdue: 0, missing: 0, extended: 0, 'not-tracked': 0 });

export function addCounts(into: StatusCounts, more: StatusCounts): StatusCounts {
  for (const key of ObligationStatus.options) into[key] += more[key];
  return into;
}

/** Completion (submitted at all) and timeliness (on time) among tracked obligations, 0..1. */
export function ratesOf(counts: StatusCounts): { completionRate: number; timelinessRate: number } {
  const tracked = ObligationStatus.options.filter((s) => s !== 'not-tracked').reduce((n, s) => n + counts[s], 0);
  return tracked ? { completionRate: (counts.submitted + counts.late) / tracked, timelinessRate: counts.submitted / tracked } : { completionRate: 0, timelinessRate: 0 };
}

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

/** One shard's state: its units in full (at most the round's shard size). */
export interface ShardStatus {
  roundId: string;
  shard: number;
  phase: 'opening' | 'open' | 'closed';
  closeAt: string | null;
  closedAt: string | null;
  counts: StatusCounts;
  units: UnitRoundStatus[];
}

/** What a shard reports when it closes. */
export interface ShardResult {
  shard: number;
  closedAt: string;
  counts: StatusCounts;
}

/** What a group of shards reports when its last shard has closed: their counts summed, the last one's closing instant. */
export interface ShardGroupResult {
  group: number;
  /** How many shards the group held. */
  shards: number;
  closedAt: string;
  counts: StatusCounts;
}

/**
 * A round as its own workflow knows it: no unit list (read the units of a large round from the database,
 * in pages, or ask a shard). Counts are known once the round has closed.
 */
export interface RoundSummary {
  roundId: string;
  kind: RoundKind;
  title: { vi: string; en: string };
  deadline: string;
  phase: 'opening' | 'open' | 'closed';
  unitCount: number;
  shards: number;
  /** Shards closed so far; in a round with groups, the shards of the groups that have closed. */
  shardsClosed: number;
  closedAt: string | null;
  counts: StatusCounts | null;
  completionRate: number | null;
  timelinessRate: number | null;
}

export interface SubmissionReceipt {
  roundId: string;
  unitId: string;
  version: number;
  /** The arrival instant that decided on time or late. */
  submittedAt: string;
  /** The deadline in force for the unit when it submitted. */
  dueAt: string;
  onTime: boolean;
  /** 0 when on time, and 0 for a submission at the deadline instant itself (which is late). */
  lateByMs: number;
}

/** Turns a zod failure into one line naming every bad field, for validators and CLIs alike. */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'payload'}: ${i.message}`).join('; ');
}
