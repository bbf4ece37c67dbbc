import type { FormData } from '../domain/forms/form-data';
import type { EscalationRole } from '../domain/program/schema';
import type { Audience } from '../domain/round/audience';
import type { ObligationStatus, ParsedRoundInput, RoundSummary } from '../domain/round/schema';

/**
 * What the round workflows ask of the outside world. Kept as plain types so the workflows import nothing
 * but this file's shapes; the implementations are in round.ts and notify.ts. No request or result here
 * grows with the number of units beyond one shard's.
 */
export type NotificationKind =
  | 'opened'
  | 'adhoc-announced'
  | 'reminder'
  | 'overdue'
  | 'escalation'
  | 'receipt'
  | 'late-receipt'
  | 'extended'
  | 'closed'
  | 'estimate-approved'
  | 'estimate-adjusted'
  | 'estimate-returned'
  | 'appraisal-summary'
  | 'plan-approved'
  | 'compilation'
  /** The compiled report as the coordinator's obligation (workflows/compiled-report.ts). */
  | 'report-reminder'
  | 'report-overdue'
  | 'report-escalation'
  | 'report-issued';

export interface NotifyRequest {
  roundId: string;
  kind: NotificationKind;
  /** Reminder offset, escalation step, submission version…: part of the idempotency key. */
  step: number;
  /** At most one shard's units. */
  unitIds: string[];
  /** Instead of `unitIds`, for a notice to every unit of a rule (e.g. all reporting units): resolved here. */
  audience?: Audience;
  /** For escalations: who this step goes to (the unit head; the coordinator and escalation recipients). */
  roles?: EscalationRole[];
  /** The planned instant the notification belongs to (ISO). */
  at: string;
}

/**
 * An escalation addressed above the units (coordinator, escalation recipients, approving authority): one
 * mail per step and deadline instant listing every unit of the round still owing its report, read from
 * the database when it is sent.
 */
export interface EscalationDigestRequest {
  roundId: string;
  /** 1-based escalation step. */
  step: number;
  roles: EscalationRole[];
  /** The deadline in force for the units this digest is about (the round's, or an extension's). */
  dueAt: string;
  /** The planned instant of the step (ISO). */
  at: string;
}

export interface OpenRoundRequest {
  input: ParsedRoundInput;
  /** Deadlines at or before this instant are not tracked. */
  trackFrom: string;
}

export interface OpenRoundResult {
  unitCount: number;
  shards: number;
}

export interface LoadShardRequest {
  roundId: string;
  shard: number;
}

/** A unit's obligation as its shard starts it (read from the database, written when the round opened). */
export interface ShardUnit {
  unitId: string;
  dueAt: string;
  status: ObligationStatus;
}

export interface SubmissionWrite {
  unitId: string;
  /** Decided by the shard: 1, 2, … */
  version: number;
  submittedBy: string;
  reference: string;
  note?: string;
  amountVnd?: string;
  /** The unit's filled report form, as validated at the edge (domain/forms FormData). */
  formData?: FormData;
  /** The arrival instant that decided on time or late (ISO). */
  submittedAt: string;
  late: boolean;
  lateByMs: number;
  /**
   * Queue the unit's receipt (or late receipt) once the row is stored, in the same activity. Unset for a
   * submission the unit did not make itself (fulfilled by a compiled report's issue) and in histories
   * recorded before 0.2.2, whose shards sent receipts as an activity of their own.
   */
  receipt?: boolean;
}

export interface RecordSubmissionsRequest {
  roundId: string;
  submissions: SubmissionWrite[];
}

export interface RecordExtensionRequest {
  roundId: string;
  unitId: string;
  until: string;
  reason: string;
  grantedBy: string;
  grantedAt: string;
}

export interface CloseShardRequest {
  roundId: string;
  shard: number;
  /** Units of the shard that never submitted (at most the shard's size). */
  missing: string[];
  closedAt: string;
}

export interface CloseRoundRequest {
  roundId: string;
  summary: RoundSummary;
}
