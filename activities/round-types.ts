import type { EscalationRole } from '../domain/program/schema';
import type { ObligationStatus, ParsedRoundInput, RoundStatus } from '../domain/round/schema';

/**
 * What a round workflow asks of the outside world. Kept as plain types so the workflow imports nothing
 * but this file's shapes; the implementations are in round.ts.
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
  | 'compilation';

export interface NotifyRequest {
  roundId: string;
  kind: NotificationKind;
  /** Reminder offset, escalation step, submission version…: part of the idempotency key. */
  step: number;
  unitIds: string[];
  /** For escalations: who this step goes to (the unit head; the coordinator and escalation recipients). */
  roles?: EscalationRole[];
  /** The planned instant the notification belongs to (ISO). */
  at: string;
}

export interface OpenRoundRequest {
  input: ParsedRoundInput;
  obligations: Array<{ unitId: string; dueAt: string; status: ObligationStatus }>;
}

export interface RecordSubmissionRequest {
  roundId: string;
  unitId: string;
  submittedBy: string;
  reference: string;
  note?: string;
  amountVnd?: string;
  submittedAt: string;
  /**
   * The round's verdict by domain/round/lateness.ts (at or after the deadline instant is late). Absent
   * only in requests scheduled by workflow code older than this field: the repository then applies the
   * same rule to the obligation's deadline in force.
   */
  late?: boolean;
  /** How late, in ms (0 when on time and at the deadline instant itself). */
  lateByMs: number;
}

export interface RecordExtensionRequest {
  roundId: string;
  unitId: string;
  until: string;
  reason: string;
  grantedBy: string;
  grantedAt: string;
}

export interface CloseRoundRequest {
  roundId: string;
  status: RoundStatus;
}
