import type { Program, Unit, Mailbox } from '../domain/program/schema';
import { resolveAudience } from '../domain/round/audience';
import { unitIndexOf } from '../domain/program/unit-index';
import { perDefinitionAndKey } from '../domain/program/per-definition';
import { listAudit } from '../infra/db/audit-repository';
import { listDecisions, listEstimates } from '../infra/db/budget-repository';
import { getProgramDefinition } from '../infra/db/program-repository';
import {
  countObligations,
  getRound,
  listObligationsOf,
  listSubmissionsOf,
  pageObligations,
  setObligationStatus,
  unitsOwing,
  type ObligationRecord,
  type RoundRecord,
} from '../infra/db/round-repository';
import { listNotifications, type Recipient } from '../infra/db/outbox-repository';
import { enqueueNotifications } from '../infra/db/outbox-batch';
import { inTransaction } from '../infra/db/shared';
import type { ActivityDeps } from './deps';
import type { Language } from '../domain/text/format';
import { messageIdFor, senderDomain } from './mail/message-id';
import { notifyOutboxChanged } from './mail/outbox-signal';
import { renderMail, templateFor, type MailInput, type ObligationFacts } from './mail/render';
import { mailTemplatesFor, type MailTemplates } from './mail/templates';
import type { ProgramVersions } from './program-versions';
import type { EscalationDigestRequest, NotifyRequest } from './round-types';

/** A mail that lists units lists at most this many; the rest are counted and reached through its link. */
export const MAX_UNITS_LISTED_IN_MAIL = 300;
import { agencyLinkUrl, linkEpochOf, linkExpiry, signLink } from '../infra/links';
import { noticeRulesOf, planNotices } from '../domain/calendar/notices';

/**
 * Turns a workflow's "tell these units this" into outbox rows: one per recipient group, each with a
 * stable idempotency key (round, unit, kind, step), so a retried activity or a replayed workflow task
 * never queues the same e-mail twice. The mail is rendered here, from the operator's templates and the
 * facts in the database at decision time, and stored with the row: what the auditor reads in the
 * outbox is exactly what was sent. Delivery is the outbox dispatcher's job (activities/mail/dispatcher.ts).
 *
 * Keys: "<round>|<unit>|<kind>|<step>" per unit, "...|head" for the escalation to a unit's head,
 * "<round>|*|<kind>|<step>[|above]" for a mail that lists units (coordinator and above).
 */
export function createNotifyActivities({ db, env, programs }: ActivityDeps & { programs: ProgramVersions }, options: { templates?: MailTemplates } = {}) {
  const templates = () => options.templates ?? mailTemplatesFor(env.KYBAO_MAIL_TEMPLATES_DIR);

  /** The round and the program definition it was opened with (rounds written before versions: the current one). */
  async function context(roundId: string): Promise<{ round: RoundRecord; program: Program }> {
    const round = await getRound(db, roundId);
    if (!round) throw new Error(`round ${roundId} is not in the database; was openRound run?`);
    const program = round.programVersion ? await programs.get({ programId: round.programId, version: round.programVersion }) : await getProgramDefinition(db, round.programId);
    if (!program) throw new Error(`program ${round.programId} is not loaded; run "kybao program load"`);
    return { round, program };
  }

  /**
   * The instant of the last escalation for a deadline under a program's rules (epoch ms), remembered per
   * program definition and deadline: a burst of receipts signs a link for each unit, nearly all with the
   * round's one deadline, and working-day arithmetic over the calendar is the costly part of a link.
   */
  const lastEscalationAt = perDefinitionAndKey((program, dueAt: number) => planNotices(dueAt, noticeRulesOf(program)).escalations.at(-1)?.atMs ?? dueAt);

  return {
    notify: (req: NotifyRequest) => queue(req),

    /**
     * The escalation step addressed above the units for one deadline instant: one mail listing every unit
     * of the round still owing its report under that deadline (none: no mail).
     */
    async notifyEscalationDigest(req: EscalationDigestRequest): Promise<{ queued: number; duplicates: number; units: number }> {
      const owing = await unitsOwing(db, req.roundId, req.dueAt);
      if (!owing.length) return { queued: 0, duplicates: 0, units: 0 };
      const round = await getRound(db, req.roundId);
      const moved = round && Date.parse(round.deadline) !== Date.parse(req.dueAt);
      const r = await queue(
        { roundId: req.roundId, kind: 'escalation', step: req.step, roles: req.roles, unitIds: owing.map((o) => o.unitId), at: req.at },
        { keySuffix: moved ? `|due=${new Date(req.dueAt).toISOString()}` : '', owing },
      );
      return { ...r, units: owing.length };
    },
  };

  async function queue(request: NotifyRequest, digest: { keySuffix: string; owing: ObligationRecord[] } | null = null): Promise<{ queued: number; duplicates: number }> {
    {
      const { round, program } = await context(request.roundId);
      let req = request;
      if (request.audience) {
        const resolved = resolveAudience(program, request.audience);
        if ('problem' in resolved) throw new Error(resolved.problem);
        req = { ...request, unitIds: resolved.unitIds };
      }
      const { byId: units, position: order } = unitIndexOf(program);
      const inProgramOrder = <T extends { unitId: string }>(xs: T[]) => [...xs].sort((a, b) => (order.get(a.unitId) ?? 0) - (order.get(b.unitId) ?? 0));
      // Per-unit links carry the unit's signed token (infra/links.ts) when the process has a link secret.
      const tokens = new Map<string, string>();
      const link = (unitId?: string | null) =>
        unitId ? agencyLinkUrl(env.KYBAO_BASE_URL, round.id, unitId, tokens.get(unitId)) : `${env.KYBAO_BASE_URL}/rounds/${encodeURIComponent(round.id)}`;
      const coordinator = units.get(program.coordinator)!;
      const authority = units.get(program.approvingAuthority)!;

      interface Envelope {
        key: string;
        unit: Unit | null;
        to: Recipient[];
        language: Language;
        audience: MailInput['audience'];
        listed: Unit[];
      }
      const envelopes: Envelope[] = [];
      const perUnit = (role: 'reporting' | 'head', suffix = '') => {
        for (const id of req.unitIds) {
          const unit = units.get(id);
          if (!unit) continue;
          const box: Mailbox = role === 'head' ? unit.head : unit.contact;
          envelopes.push({
            key: `${round.id}|${id}|${req.kind}|${req.step}${suffix}`,
            unit,
            to: [{ email: box.email, name: displayName(box, unit), role }],
            language: unit.language,
            audience: { role },
            listed: [],
          });
        }
      };
      const aggregate = (to: Recipient[], names: (lang: Language) => string[], language: Language, suffix: string, listed: Unit[]) => {
        if (!to.length) return;
        envelopes.push({ key: `${round.id}|*|${req.kind}|${req.step}${suffix}${digest?.keySuffix ?? ''}`, unit: null, to: dedupe(to), language, audience: { role: 'above', names: names(language) }, listed });
      };
      const requested = req.unitIds.map((id) => units.get(id)).filter((u): u is Unit => !!u);

      if (req.kind === 'escalation') {
        const roles = req.roles ?? ['head'];
        if (roles.includes('head') && !digest) perUnit('head', '|head');
        const above: Array<{ recipient: Recipient; name: (lang: Language) => string }> = [];
        if (roles.includes('coordinator')) above.push({ recipient: unitRecipient(coordinator, 'coordinator'), name: (l) => coordinator.name[l] });
        if (roles.includes('escalation-recipients')) {
          for (const ref of program.escalationRecipients) {
            const unit = typeof ref === 'string' ? units.get(ref) : undefined;
            const box = unit ? unit.contact : (ref as Mailbox);
            above.push({ recipient: { email: box.email, name: unit ? displayName(box, unit) : (box.name ?? null), role: 'escalation-recipient' }, name: (l) => (unit ? unit.name[l] : (box.name ?? box.email)) });
          }
        }
        if (roles.includes('approving-authority')) above.push({ recipient: unitRecipient(authority, 'approving-authority'), name: (l) => authority.name[l] });
        aggregate(above.map((a) => a.recipient), (l) => uniq(above.map((a) => a.name(l))), coordinator.language, '|above', requested.slice(0, MAX_UNITS_LISTED_IN_MAIL));
      } else if (req.kind === 'closed') {
        aggregate([unitRecipient(coordinator, 'coordinator')], (l) => [coordinator.name[l]], coordinator.language, '', []);
      } else if (req.kind === 'appraisal-summary') {
        aggregate([unitRecipient(authority, 'approving-authority')], (l) => [authority.name[l]], authority.language, '', []);
      } else if (req.kind === 'compilation') {
        const above = program.recipientsAbove.filter((a) => a.email);
        aggregate(
          [unitRecipient(authority, 'approving-authority'), ...above.map((a) => ({ email: a.email!, name: a.name.vi, role: 'above' }))],
          (l) => [authority.name[l], ...above.map((a) => a.name[l])],
          authority.language,
          '',
          [],
        );
      } else {
        perUnit('reporting');
      }

      // Rows already queued (a retried activity, a replayed task) keep the content they were queued with.
      const existing = new Set(
        (await db.notification.findMany({ where: { idempotencyKey: { in: envelopes.map((e) => e.key) } }, select: { idempotencyKey: true } })).map(
          (r) => r.idempotencyKey,
        ),
      );
      const fresh = envelopes.filter((e) => !existing.has(e.key));
      const listedIds = [...new Set(fresh.flatMap((e) => [...(e.unit ? [e.unit.id] : []), ...e.listed.map((u) => u.id)]))];
      const facts = fresh.length ? await gatherFacts(req, round, program, fresh.some((e) => e.audience.role === 'above'), listedIds, digest?.owing ?? null) : null;
      if (env.KYBAO_LINK_SECRET) {
        for (const e of fresh) {
          if (!e.unit || tokens.has(e.unit.id)) continue;
          const dueAt = Date.parse(facts!.obligations.get(e.unit.id)?.dueAt ?? round.deadline);
          const last = lastEscalationAt(program, dueAt);
          const claims = { p: program.id, r: round.id, u: e.unit.id, e: linkExpiry(Math.max(last, dueAt), env.KYBAO_LINK_DAYS_AFTER_CUTOFF), n: await linkEpochOf(db, program.id, e.unit.id) };
          tokens.set(e.unit.id, signLink(env.KYBAO_LINK_SECRET, claims));
        }
      }
      const rendered = fresh.map((e) => {
        const template = templateFor(req.kind, e.audience.role);
        const obligation = e.unit ? (facts!.obligations.get(e.unit.id) ?? null) : null;
        const input: MailInput = {
          kind: req.kind,
          template,
          step: req.step,
          language: e.language,
          program,
          round: { id: round.id, title: round.title, subject: round.subject, year: round.year, deadline: round.deadline },
          at: req.at,
          link: link(e.unit?.id),
          unit: e.unit,
          audience: e.audience,
          obligation: obligation ? obligationFacts(obligation) : null,
          listed: (req.kind === 'closed' ? inProgramOrder(facts!.closing!.listed).map((o) => units.get(o.unitId)).filter((u): u is Unit => !!u) : e.listed).map((unit) => {
            const o = facts!.obligations.get(unit.id);
            return { unit, obligation: o ? obligationFacts(o) : null };
          }),
          listedMore: req.kind === 'closed' ? facts!.closing!.more : e.audience.role === 'above' ? Math.max(0, req.unitIds.length - e.listed.length) : 0,
          counts: req.kind === 'closed' ? facts!.closing!.counts : null,
          submission: e.unit && (req.kind === 'receipt' || req.kind === 'late-receipt') ? (facts!.submissions.get(e.unit.id) ?? null) : null,
          extension: e.unit && req.kind === 'extended' ? (facts!.extensions.get(e.unit.id) ?? { previousDueAt: null, reason: null, grantedBy: null }) : null,
          estimate: e.unit && req.kind.startsWith('estimate-') ? (facts!.estimate.get(e.unit.id) ?? null) : null,
          estimates:
            req.kind === 'appraisal-summary' ? inProgramOrder(facts!.estimates.filter((x) => units.has(x.unitId))).map((x) => ({ ...x, unit: units.get(x.unitId)! })) : [],
          failures:
            e.audience.role === 'above' && (req.kind === 'escalation' || req.kind === 'closed')
              ? facts!.failures.map((f) => ({ ...f, unit: f.unitId ? (units.get(f.unitId) ?? null) : null }))
              : [],
          compilationReference: req.kind === 'compilation' ? compilationReference(round) : null,
        };
        if (req.kind.startsWith('estimate-') && !input.estimate) {
          throw new Error(`no estimate version ${req.step} of unit ${e.unit?.id} for ${round.year} in the database; was recordEstimate run?`);
        }
        return { envelope: e, mail: renderMail(templates(), input) };
      });

      let queued = 0;
      let duplicates = envelopes.length - fresh.length;
      await inTransaction(db, async (tx) => {
        // All of them in three statements (infra/db/outbox-batch.ts), not three per e-mail.
        const { created } = await enqueueNotifications(
          tx,
          rendered.map(({ envelope: e, mail }) => ({
            idempotencyKey: e.key,
            roundId: round.id,
            unitId: e.unit?.id ?? null,
            kind: req.kind,
            step: String(req.step),
            recipients: e.to,
            language: e.language,
            subject: mail.subject,
            bodyText: mail.text,
            bodyHtml: mail.html,
            // Fixed now, so the dispatcher claims a batch in one statement.
            messageId: messageIdFor(e.key, senderDomain(env.MAIL_FROM)),
            createdAt: req.at,
            actor: 'workflow',
          })),
        );
        for (const c of created) {
          if (c) queued += 1;
          else duplicates += 1;
        }
        if (req.kind === 'overdue') {
          for (const unitId of req.unitIds) {
            await setObligationStatus(tx, { roundId: round.id, unitId, status: 'overdue', actor: 'workflow', at: req.at, ifNotSubmitted: true });
          }
        }
      });
      if (queued) notifyOutboxChanged();
      return { queued, duplicates };
    }
  }

  /**
   * What the mails of one request are made of, read once: the obligations of the units they name (never
   * a whole round of thousands), and for the closing mail the counts and the units not on time first.
   */
  async function gatherFacts(req: NotifyRequest, round: RoundRecord, program: Program, needFailures: boolean, unitIds: string[], owing: ObligationRecord[] | null) {
    let closing: { counts: Record<string, number>; listed: ObligationRecord[]; more: number } | null = null;
    if (req.kind === 'closed') {
      const counts = await countObligations(db, round.id);
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      // Units that did not report on time first: they are what the coordinator acts on.
      const notOnTime = ['missing', 'overdue', 'late', 'extended', 'pending'] as const;
      const listed: ObligationRecord[] = [];
      for (const status of notOnTime) {
        if (listed.length >= MAX_UNITS_LISTED_IN_MAIL) break;
        listed.push(...(await pageObligations(db, round.id, { status, limit: MAX_UNITS_LISTED_IN_MAIL - listed.length })));
      }
      if (listed.length < MAX_UNITS_LISTED_IN_MAIL) listed.push(...(await pageObligations(db, round.id, { status: 'submitted', limit: MAX_UNITS_LISTED_IN_MAIL - listed.length })));
      closing = { counts, listed, more: Math.max(0, total - listed.length) };
    }
    const named = owing ?? (await listObligationsOf(db, round.id, unitIds));
    const obligations = new Map([...named, ...(closing?.listed ?? [])].map((o) => [o.unitId, o]));
    const submissions = new Map<string, NonNullable<MailInput['submission']>>();
    const extensions = new Map<string, NonNullable<MailInput['extension']>>();
    const estimate = new Map<string, NonNullable<MailInput['estimate']>>();
    let estimates: Array<{ unitId: string; version: number; amountVnd: string; status: 'submitted' | 'approved' | 'adjusted' | 'returned' | 'superseded'; approvedAmountVnd: string | null }> = [];

    if (req.kind === 'receipt' || req.kind === 'late-receipt') {
      const byUnit = await listSubmissionsOf(db, round.id, req.unitIds);
      for (const unitId of req.unitIds) {
        const versions = byUnit.get(unitId) ?? [];
        const s = versions.find((v) => v.version === req.step) ?? versions[versions.length - 1];
        if (s) submissions.set(unitId, { version: s.version, submittedAt: s.submittedAt, reference: s.fileRef });
      }
    }
    if (req.kind === 'extended') {
      for (const unitId of req.unitIds) {
        const moves = (await listAudit(db, { roundId: round.id, unitId, action: 'obligation.status' })).filter(
          (a) => (a.details as { changes?: { dueAt?: unknown } }).changes?.dueAt !== undefined,
        );
        const last = moves[moves.length - 1];
        if (last) {
          const d = last.details as { changes: { dueAt: { from: string } }; reason?: string };
          extensions.set(unitId, { previousDueAt: d.changes.dueAt.from, reason: d.reason ?? null, grantedBy: last.actor });
        }
      }
    }
    if (req.kind === 'estimate-approved' || req.kind === 'estimate-adjusted' || req.kind === 'estimate-returned') {
      for (const unitId of req.unitIds) {
        const versions = await listEstimates(db, { programId: program.id, year: round.year, unitId });
        const e = versions.find((v) => v.version === req.step) ?? versions[versions.length - 1];
        if (!e) continue;
        const decisions = await listDecisions(db, e.id);
        const d = decisions[decisions.length - 1];
        estimate.set(unitId, {
          version: e.version,
          amountVnd: e.amountVnd,
          approvedAmountVnd: d?.decision === 'return' ? null : (d?.amountVnd ?? e.approvedAmountVnd),
          reason: d?.reason ?? null,
          decidedBy: d?.decidedBy ?? null,
        });
      }
    }
    if (req.kind === 'appraisal-summary') {
      const latest = new Map<string, (typeof estimates)[number]>();
      for (const e of await listEstimates(db, { programId: program.id, year: round.year })) {
        if (e.status === 'superseded') continue;
        latest.set(e.unitId, { unitId: e.unitId, version: e.version, amountVnd: e.amountVnd, status: e.status, approvedAmountVnd: e.approvedAmountVnd });
      }
      estimates = [...latest.values()];
    }
    const failures = needFailures
      ? (await listNotifications(db, { roundId: round.id, status: 'failed' })).map((n) => ({
          unitId: n.unitId,
          kind: n.kind,
          to: n.recipients.map((r) => r.email),
          error: (n.lastError ?? '').replace(/^\[in doubt\] /, ''),
          at: n.createdAt,
        }))
      : [];
    return { closing, obligations, submissions, extensions, estimate, estimates, failures };
  }
}

function obligationFacts(o: ObligationRecord): ObligationFacts {
  return { dueAt: o.dueAt, status: o.status, submittedAt: o.submittedAt };
}

function compilationReference(round: RoundRecord): string | null {
  const result = round.result as { reference?: unknown } | null;
  return typeof result?.reference === 'string' ? result.reference : null;
}

/** "Bộ phận Thông tin đối ngoại – Sở Thông tin và Truyền thông" as the To: display name. */
function displayName(box: Mailbox, unit: Unit): string {
  return box.name ? `${box.name} – ${unit.name[unit.language]}` : unit.name[unit.language];
}

function unitRecipient(unit: Unit, role: string): Recipient {
  return { email: unit.contact.email, name: displayName(unit.contact, unit), role };
}

function dedupe(recipients: Recipient[]): Recipient[] {
  const seen = new Set<string>();
  return recipients.filter((r) => (seen.has(r.email.toLowerCase()) ? false : (seen.add(r.email.toLowerCase()), true)));
}

function uniq(names: string[]): string[] {
  return [...new Set(names)];
}
