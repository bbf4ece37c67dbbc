import type { Program, Unit, Mailbox } from '../domain/program/schema';
import { escalationMailboxes } from '../domain/program/resolve';
import { getProgramDefinition } from './db/program-repository';
import { getRound, setObligationStatus, type RoundRecord } from './db/round-repository';
import { enqueueNotification, type Recipient } from './db/outbox-repository';
import { inTransaction } from './db/shared';
import type { ActivityDeps } from './deps';
import { renderNotification } from './mail/render';
import type { NotifyRequest } from './round-types';

/**
 * Turns a workflow's "tell these units this" into outbox rows: one per recipient group, each with a
 * stable idempotency key (round, unit, kind, step), so a retried activity or a replayed workflow task
 * never queues the same e-mail twice. Delivery is the outbox dispatcher's job.
 */
export function createNotifyActivities({ db, env }: ActivityDeps) {
  async function context(roundId: string): Promise<{ round: RoundRecord; program: Program }> {
    const round = await getRound(db, roundId);
    if (!round) throw new Error(`round ${roundId} is not in the database; was openRound run?`);
    const program = await getProgramDefinition(db, round.programId);
    if (!program) throw new Error(`program ${round.programId} is not loaded; run "kybao program load"`);
    return { round, program };
  }

  return {
    async notify(req: NotifyRequest): Promise<{ queued: number; duplicates: number }> {
      const { round, program } = await context(req.roundId);
      const units = new Map(program.units.map((u) => [u.id, u]));
      const link = (unitId?: string) => `${env.KYBAO_BASE_URL}/rounds/${encodeURIComponent(round.id)}${unitId ? `/units/${encodeURIComponent(unitId)}` : ''}`;
      const envelopes: Array<{ key: string; unitId: string | null; to: Recipient[]; language: 'vi' | 'en'; unit?: Unit; listed?: Unit[] }> = [];
      const perUnit = (mailbox: (u: Unit) => Mailbox, role: string, suffix = '') => {
        for (const id of req.unitIds) {
          const unit = units.get(id);
          if (!unit) continue;
          const m = mailbox(unit);
          envelopes.push({
            key: `${round.id}|${id}|${req.kind}|${req.step}${suffix}`,
            unitId: id,
            to: [{ email: m.email, name: m.name ?? null, role }],
            language: unit.language,
            unit,
          });
        }
      };
      const aggregate = (to: Recipient[], language: 'vi' | 'en', suffix: string) => {
        if (!to.length) return;
        envelopes.push({
          key: `${round.id}|*|${req.kind}|${req.step}${suffix}`,
          unitId: null,
          to,
          language,
          listed: req.unitIds.map((id) => units.get(id)).filter((u): u is Unit => !!u),
        });
      };
      const coordinator = units.get(program.coordinator)!;
      const authority = units.get(program.approvingAuthority)!;

      if (req.kind === 'escalation') {
        const roles = req.roles ?? ['head'];
        if (roles.includes('head')) perUnit((u) => u.head, 'head', '|head');
        const above: Recipient[] = [];
        if (roles.includes('coordinator')) above.push({ email: coordinator.contact.email, name: coordinator.name.vi, role: 'coordinator' });
        if (roles.includes('escalation-recipients')) {
          for (const m of escalationMailboxes(program)) above.push({ email: m.email, name: m.name ?? null, role: 'escalation-recipient' });
        }
        if (roles.includes('approving-authority')) above.push({ email: authority.contact.email, name: authority.name.vi, role: 'approving-authority' });
        aggregate(dedupe(above), coordinator.language, '|above');
      } else if (req.kind === 'closed') {
        aggregate([{ email: coordinator.contact.email, name: coordinator.name.vi, role: 'coordinator' }], coordinator.language, '');
      } else if (req.kind === 'compilation') {
        const to: Recipient[] = [{ email: authority.contact.email, name: authority.name.vi, role: 'approving-authority' }];
        for (const a of program.recipientsAbove) if (a.email) to.push({ email: a.email, name: a.name.vi, role: 'above' });
        aggregate(dedupe(to), 'vi', '');
      } else {
        perUnit((u) => u.contact, 'reporting');
      }

      let queued = 0;
      let duplicates = 0;
      await inTransaction(db, async (tx) => {
        for (const e of envelopes) {
          const body = renderNotification({
            kind: req.kind,
            step: req.step,
            language: e.language,
            timeZone: program.timeZone,
            roundId: round.id,
            roundTitle: round.title,
            unitName: e.unit?.name[e.language],
            units: e.listed?.map((u) => ({ id: u.id, name: u.name[e.language] })),
            dueAt: round.deadline,
            link: link(e.unitId ?? undefined),
          });
          const { created } = await enqueueNotification(tx, {
            idempotencyKey: e.key,
            roundId: round.id,
            unitId: e.unitId,
            kind: req.kind,
            step: String(req.step),
            recipients: e.to,
            language: e.language,
            subject: body.subject,
            bodyText: body.text,
            bodyHtml: body.html,
            createdAt: req.at,
            actor: 'workflow',
          });
          if (created) queued += 1;
          else duplicates += 1;
        }
        if (req.kind === 'overdue') {
          for (const unitId of req.unitIds) {
            await setObligationStatus(tx, { roundId: round.id, unitId, status: 'overdue', actor: 'workflow', at: req.at });
          }
        }
      });
      return { queued, duplicates };
    },
  };
}

function dedupe(recipients: Recipient[]): Recipient[] {
  const seen = new Set<string>();
  return recipients.filter((r) => (seen.has(r.email) ? false : (seen.add(r.email), true)));
}
