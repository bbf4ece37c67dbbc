import { upsertObligations, upsertRound } from '../infra/db/round-repository';
import type { ActivityDeps } from './deps';

/** The walking skeleton's two side effects: one row through Prisma, one e-mail through SMTP. */
export function createSkeletonActivities({ db, mailer, env }: ActivityDeps) {
  return {
    async recordObligation(req: { programId: string; roundId: string; unitId: string; dueAt: string }): Promise<void> {
      await upsertRound(db, {
        id: req.roundId,
        programId: req.programId,
        year: new Date(req.dueAt).getUTCFullYear(),
        kind: 'skeleton',
        title: { vi: 'Vòng thử nghiệm', en: 'Skeleton round' },
        deadline: req.dueAt,
        actor: 'workflow:skeleton',
      });
      await upsertObligations(db, { roundId: req.roundId, obligations: [{ unitId: req.unitId, dueAt: req.dueAt }], actor: 'workflow:skeleton' });
    },

    async sendNotice(req: { roundId: string; unitId: string; to: string }): Promise<{ messageId: string }> {
      // A Message-ID derived from the business key lets a retried send be recognised downstream.
      const messageId = `<${req.roundId}.${req.unitId}.skeleton@kybao>`;
      const info = await mailer.sendMail({
        from: env.MAIL_FROM,
        to: req.to,
        messageId,
        subject: `[kybao] Vòng thử nghiệm ${req.roundId}`,
        text: `Đơn vị ${req.unitId}: vòng ${req.roundId} đã mở.\nUnit ${req.unitId}: round ${req.roundId} is open.\n`,
      });
      return { messageId: info.messageId };
    },
  };
}

export type SkeletonActivities = ReturnType<typeof createSkeletonActivities>;
