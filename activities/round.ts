import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { submissionKey } from '../domain/round/submission-key';
import { resolveAudience } from '../domain/round/audience';
import { receiptNotices } from '../domain/round/receipt-notices';
import { appendAudit } from '../infra/db/audit-repository';
import { recordEstimate } from '../infra/db/budget-repository';
import {
  closeRound,
  listShardObligations,
  markObligationsMissing,
  openRoundObligations,
  recordSubmissions,
  setObligationStatus,
} from '../infra/db/round-repository';
import { inTransaction } from '../infra/db/shared';
import type { ActivityDeps } from './deps';
import { createNotifyActivities } from './notify';
import type { ProgramVersions } from './program-versions';
import type {
  CloseRoundRequest,
  CloseShardRequest,
  LoadShardRequest,
  OpenRoundRequest,
  OpenRoundResult,
  RecordExtensionRequest,
  RecordSubmissionsRequest,
  ShardUnit,
} from './round-types';

/**
 * What the round workflows persist: the round and its obligations (cut into shards), submissions,
 * extensions, who was missing, the result. Every write is idempotent (a retried activity writes nothing
 * twice): obligations are created once per round, submissions are keyed by round, unit and version.
 */
export function createRoundActivities(deps: ActivityDeps & { programs: ProgramVersions }) {
  const { db, programs } = deps;
  const notices = createNotifyActivities(deps);
  return {
    ...notices,

    /** Resolves the audience against the round's program version and writes the round and its obligations. */
    async openRound({ input, trackFrom }: OpenRoundRequest): Promise<OpenRoundResult> {
      const program = await programs.get(input.programRef);
      const resolved = resolveAudience(program, input.audience);
      if ('problem' in resolved) throw ApplicationFailure.create({ type: 'AudienceProblem', nonRetryable: true, message: resolved.problem });
      const tracked = Date.parse(input.deadline) > Date.parse(trackFrom);
      const opened = await openRoundObligations(db, {
        round: {
          id: input.roundId,
          programId: input.programRef.programId,
          year: input.year,
          kind: input.kind,
          title: input.title,
          subject: input.subject ?? null,
          deadline: input.deadline,
          actor: 'workflow:round',
        },
        programVersion: input.programRef.version,
        unitIds: resolved.unitIds,
        status: tracked ? 'pending' : 'not-tracked',
        shardSize: input.shardSize,
        onProgress: () => heartbeat(),
      });
      return { unitCount: opened.unitCount, shards: opened.shardCount };
    },

    /** A shard's units, as the round wrote them (at most the shard size). */
    async loadShard({ roundId, shard }: LoadShardRequest): Promise<ShardUnit[]> {
      return (await listShardObligations(db, roundId, shard)).map((o) => ({ unitId: o.unitId, dueAt: o.dueAt, status: o.status }));
    },

    /**
     * Stores submissions decided by a shard, in one transaction (infra/db/round-repository.ts
     * recordSubmissions: a few statements for the whole batch); a budget amount also becomes an estimate
     * version. Then queues the receipts of those marked `receipt` (domain/round/receipt-notices.ts): after
     * the commit, because a receipt is rendered from the stored row. A retry after a crash between the two
     * finds its rows and its notices by their keys, so nothing is stored or mailed twice.
     */
    async recordSubmissions(req: RecordSubmissionsRequest): Promise<void> {
      const withAmount = req.submissions.filter((s) => s.amountVnd !== undefined);
      const round = withAmount.length ? await db.round.findUnique({ where: { id: req.roundId }, select: { programId: true, year: true } }) : null;
      await inTransaction(db, async (tx) => {
        await recordSubmissions(
          tx,
          req.roundId,
          req.submissions.map((s) => ({
            unitId: s.unitId,
            version: s.version,
            submittedBy: s.submittedBy,
            submittedAt: s.submittedAt,
            fileRef: s.reference,
            note: s.note ?? null,
            ...(s.formData ? { formData: s.formData } : {}),
            status: s.late ? ('late' as const) : ('submitted' as const),
            lateByMs: s.lateByMs,
            // The shard decided the version, so a retried activity finds its own row.
            idempotencyKey: submissionKey(req.roundId, s.unitId, s.version),
            actor: s.submittedBy,
          })),
        );
        if (!round) return;
        for (const s of withAmount) {
          await recordEstimate(tx, {
            programId: round.programId,
            year: round.year,
            unitId: s.unitId,
            amountVnd: s.amountVnd!,
            submittedBy: s.submittedBy,
            submittedAt: s.submittedAt,
            fileRef: s.reference,
            idempotencyKey: `estimate|${req.roundId}|${s.unitId}|v${s.version}`,
            actor: s.submittedBy,
          });
        }
      });
      for (const notice of receiptNotices(req.submissions.filter((s) => s.receipt))) {
        await notices.notify({ roundId: req.roundId, ...notice });
      }
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

    /** A shard has closed: its units that never submitted are missing. */
    async closeShard(req: CloseShardRequest): Promise<void> {
      await markObligationsMissing(db, { roundId: req.roundId, unitIds: req.missing, at: req.closedAt, actor: 'workflow:round' });
      await appendAudit(db, { at: req.closedAt, actor: 'workflow:round', action: 'round.shard-closed', roundId: req.roundId, details: { shard: req.shard, missing: req.missing.length } });
    },

    async closeRound({ roundId, summary }: CloseRoundRequest): Promise<void> {
      await closeRound(db, { roundId, result: summary, closedAt: summary.closedAt ?? undefined, actor: 'workflow:round' });
    },
  };
}

export type RoundActivities = ReturnType<typeof createRoundActivities>;
