import { closeRound, recordSubmission, setObligationStatus, upsertObligations, upsertRound } from '../infra/db/round-repository';
import { appendAudit } from '../infra/db/audit-repository';
import { recordEstimate } from '../infra/db/budget-repository';
import type { ActivityDeps } from './deps';
import { createNotifyActivities } from './notify';
import type { CloseRoundRequest, OpenRoundRequest, RecordExtensionRequest, RecordSubmissionRequest } from './round-types';

/** What a round workflow persists: the round and its obligations, submissions, extensions, the result. */
export function createRoundActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    ...createNotifyActivities(deps),

    async openRound({ input, obligations }: OpenRoundRequest): Promise<void> {
      await upsertRound(db, {
        id: input.roundId,
        programId: input.programId,
        year: input.year,
        kind: input.kind,
        title: input.title,
        subject: input.subject ?? null,
        deadline: input.deadline,
        actor: `workflow:round`,
      });
      await upsertObligations(db, { roundId: input.roundId, obligations, actor: 'workflow:round' });
    },

    async recordSubmission(req: RecordSubmissionRequest): Promise<{ version: number }> {
      const { submission } = await recordSubmission(db, {
        roundId: req.roundId,
        unitId: req.unitId,
        submittedBy: req.submittedBy,
        submittedAt: req.submittedAt,
        fileRef: req.reference,
        note: req.note ?? null,
        // The workflow decided on time or late; the row records that verdict, never a second opinion.
        ...(req.late === undefined ? {} : { status: req.late ? ('late' as const) : ('submitted' as const), lateByMs: req.lateByMs }),
        // The workflow's submission instant is fixed in its history, so a retried activity finds its own row.
        idempotencyKey: `${req.roundId}|${req.unitId}|${req.submittedAt}`,
        actor: req.submittedBy,
      });
      if (req.amountVnd !== undefined) {
        const round = await db.round.findUnique({ where: { id: req.roundId } });
        if (round) {
          await recordEstimate(db, {
            programId: round.programId,
            year: round.year,
            unitId: req.unitId,
            amountVnd: req.amountVnd,
            submittedBy: req.submittedBy,
            submittedAt: req.submittedAt,
            fileRef: req.reference,
            idempotencyKey: `estimate|${req.roundId}|${req.unitId}|${req.submittedAt}`,
            actor: req.submittedBy,
          });
        }
      }
      return { version: submission.version };
    },

    async recordExtension(req: RecordExtensionRequest): Promise<void> {
      await setObligationStatus(db, {
        roundId: req.roundId,
        unitId: req.unitId,
        status: 'extended',
        dueAt: req.until,
        actor: req.grantedBy,
        reason: req.reason,
        at: req.grantedAt,
      });
    },

    async closeRound({ roundId, status }: CloseRoundRequest): Promise<void> {
      for (const unit of status.units) {
        if (unit.status === 'missing') {
          await setObligationStatus(db, { roundId, unitId: unit.unitId, status: 'missing', actor: 'workflow:round', at: status.closedAt ?? undefined });
        }
      }
      await closeRound(db, { roundId, result: status, closedAt: status.closedAt ?? undefined, actor: 'workflow:round' });
      await appendAudit(db, { actor: 'workflow:round', action: 'round.result', roundId, details: { counts: status.counts, completionRate: status.completionRate } });
    },
  };
}

export type RoundActivities = ReturnType<typeof createRoundActivities>;
