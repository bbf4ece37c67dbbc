import { ApplicationFailure } from '@temporalio/activity';
import { noticeRulesOf, formatInstant, type NoticeRules } from '../domain/calendar/notices';
import { documentNumber } from '../domain/compilation/lifecycle';
import { resolveIssuing } from '../domain/compilation/issuing';
import { compiledReportDueAt, periodReportDueAt } from '../domain/compilation/obligation';
import { REVIEW_REPORT_WITHIN_WORKING_DAYS, YEAR_REPORT_WITHIN_WORKING_DAYS } from '../domain/program/forms';
import type { EscalationRole, Mailbox, Program, Unit } from '../domain/program/schema';
import { editCompiledDraft, fixCompiledReportDueAt, getCompiledReport, issueCompiledReport, type CompiledReportRecord } from '../infra/db/compiled-reports';
import { enqueueNotifications } from '../infra/db/outbox-batch';
import type { Recipient } from '../infra/db/outbox-repository';
import { getProgramDefinition } from '../infra/db/program-repository';
import { getRound, type RoundRecord } from '../infra/db/round-repository';
import { InvalidStateError, NotFoundError } from '../infra/db/shared';
import { renderStoredReport } from './compilation';
import type { ActivityDeps } from './deps';
import { messageIdFor, senderDomain } from './mail/message-id';
import { notifyOutboxChanged } from './mail/outbox-signal';
import { renderMail, templateFor, type MailInput } from './mail/render';
import { mailTemplatesFor } from './mail/templates';
import type { NotificationKind } from './round-types';
import type { ProgramVersions } from './program-versions';

/**
 * What the compiled report's workflow (workflows/compiled-report.ts) asks of the outside world: its due
 * instant and notice rules, the coordinator's edit and issue written to the database (the repositories'
 * rules: an issued report is never edited, a register number is unique per year), and its mails through
 * the outbox (exactly once: one idempotency key per report, kind and step).
 *
 * Refusals a retry cannot change (issued already, number taken, bad input) fail with the non-retryable
 * type ReportRefused and the repository's message, which the workflow hands to the caller.
 */

export interface CompiledReportPlan {
  /** ISO, with the program's offset. */
  dueAt: string;
  rules: NoticeRules;
  status: 'draft' | 'issued';
  revision: number;
  number: number | null;
  issuedAt: string | null;
}

export interface ReportNoticeRequest {
  reportId: string;
  kind: 'reminder' | 'overdue' | 'escalation' | 'issued';
  /** Working days before (reminder), escalation step, or 0. */
  step: number;
  /** Escalations: who this step goes to (the program's escalation roles, read for the coordinator as the unit). */
  roles?: EscalationRole[];
  /** The planned instant (ISO). */
  at: string;
  /** Issued: the documents' paths. */
  documents?: { docx: string; xlsx: string };
}

type Deps = Pick<ActivityDeps, 'db' | 'env'> & { programs?: ProgramVersions };

const KIND: Record<ReportNoticeRequest['kind'], NotificationKind> = {
  reminder: 'report-reminder',
  overdue: 'report-overdue',
  escalation: 'report-escalation',
  issued: 'report-issued',
};

function refused(err: unknown): never {
  if (err instanceof InvalidStateError || err instanceof NotFoundError || (err as Error)?.name === 'InvalidInputError' || (err as Error)?.name === 'ZodError') {
    throw ApplicationFailure.create({ type: 'ReportRefused', nonRetryable: true, message: (err as Error).message });
  }
  throw err;
}

export function createCompiledReportActivities(deps: Deps) {
  const { db, env } = deps;

  async function reportOf(id: string): Promise<CompiledReportRecord> {
    const report = await getCompiledReport(db, id);
    if (!report) throw ApplicationFailure.create({ type: 'ReportRefused', nonRetryable: true, message: `compiled report ${id} does not exist` });
    return report;
  }

  /**
   * The program a report's rules come from, and its round: a round's report, the program its round was
   * opened with (the current definition for rounds from before versions); a year's or a review's, the
   * current definition (its due instant is stored when first planned, so later versions do not move it).
   */
  async function contextOf(report: CompiledReportRecord): Promise<{ round: RoundRecord | null; program: Program }> {
    if (!report.roundId) {
      const program = await getProgramDefinition(db, report.programId);
      if (!program) throw new Error(`program ${report.programId} is not loaded; run "kybao program load"`);
      return { round: null, program };
    }
    const round = await getRound(db, report.roundId);
    if (!round) throw new Error(`round ${report.roundId} of compiled report ${report.id} is not in the database`);
    const program =
      round.programVersion && deps.programs ? await deps.programs.get({ programId: round.programId, version: round.programVersion }) : await getProgramDefinition(db, round.programId);
    if (!program) throw new Error(`program ${round.programId} is not loaded; run "kybao program load"`);
    return { round, program };
  }

  /** The due instant by the program's rule (domain/compilation/obligation.ts) for the report's scope. */
  function dueByRule(report: CompiledReportRecord, round: RoundRecord | null, program: Program): number {
    const settings = program.compilation;
    if (round) return compiledReportDueAt(Date.parse(round.deadline), settings?.issueWithinWorkingDays ?? 10, program.calendar, program.timeZone);
    if (report.scope === 'round') throw new Error(`compiled report ${report.id} is a round's report without its round`);
    const within =
      report.scope === 'year'
        ? (settings?.yearReport?.issueWithinWorkingDays ?? YEAR_REPORT_WITHIN_WORKING_DAYS)
        : (settings?.reviewReport?.issueWithinWorkingDays ?? REVIEW_REPORT_WITHIN_WORKING_DAYS);
    return periodReportDueAt(report.toYear, within, program.calendar, program.timeZone);
  }

  async function plan(reportId: string): Promise<CompiledReportPlan> {
    const report = await reportOf(reportId);
    const { round, program } = await contextOf(report);
    // Fixed the first time the obligation is planned: the stored instant wins over the rule of today's program.
    const due = report.dueAt ?? (await fixCompiledReportDueAt(db, { id: report.id, dueAt: new Date(dueByRule(report, round, program)).toISOString() }));
    return {
      dueAt: formatInstant(Date.parse(due), program.timeZone),
      rules: noticeRulesOf(program),
      status: report.state.status,
      revision: report.revision,
      number: report.state.status === 'issued' ? report.state.number : null,
      issuedAt: report.state.status === 'issued' ? report.state.issuedAt : null,
    };
  }

  return {
    /** When the report is due (domain/compilation/obligation.ts) and the program's notice rules, fixed once in the workflow's history. */
    planCompiledReport: (req: { reportId: string }): Promise<CompiledReportPlan> => plan(req.reportId),

    /** The coordinator's texts into the draft, then the draft's documents rendered again with them. */
    async editCompiledReportDraft(req: { reportId: string; introduction?: string; conclusions?: string; by: string; at: string }): Promise<{ revision: number }> {
      const edits = { ...(req.introduction !== undefined ? { introduction: req.introduction } : {}), ...(req.conclusions !== undefined ? { conclusions: req.conclusions } : {}) };
      const report = await editCompiledDraft(db, { id: req.reportId, edits, actor: req.by, at: req.at }).catch(refused);
      await renderStoredReport(deps, report);
      return { revision: report.revision };
    },

    /** Issues the draft with its register number (refused: issued already, or the number taken this year). */
    async issueCompiledReportDraft(req: { reportId: string; number: number; signer: { title: string[]; name: string }; issuedAt: string; by: string }): Promise<{ number: number; issuedAt: string; revision: number }> {
      const report = await issueCompiledReport(db, { id: req.reportId, request: { number: req.number, signer: req.signer, issuedAt: req.issuedAt, issuedBy: req.by } }).catch(refused);
      if (report.state.status !== 'issued') throw new Error(`compiled report ${req.reportId} was not issued`);
      return { number: report.state.number, issuedAt: report.state.issuedAt, revision: report.revision };
    },

    /**
     * One mail about the report, queued in the outbox under "report:<id>|<kind>|<step>": reminders and the
     * overdue notice to the coordinator's reporting contact; an escalation step to the roles the program
     * names for it (head: the coordinator's head; coordinator; escalation recipients, e.g. the UBND office;
     * approving authority); the issued report to the coordinator and the `compilation.sendTo`/`copyTo`
     * addressees that have an e-mail address.
     */
    async notifyCompiledReport(req: ReportNoticeRequest): Promise<{ queued: number; duplicates: number }> {
      const report = await reportOf(req.reportId);
      const { round, program } = await contextOf(report);
      const units = new Map(program.units.map((u) => [u.id, u]));
      const coordinator = units.get(program.coordinator)!;
      const to: Array<{ recipient: Recipient; name: (l: 'vi' | 'en') => string }> = [];
      const add = (box: Mailbox, role: string, name: (l: 'vi' | 'en') => string, unit?: Unit) =>
        to.push({ recipient: { email: box.email, name: unit ? displayName(box, unit) : (box.name ?? null), role }, name });
      if (req.kind === 'escalation') {
        for (const role of req.roles ?? []) {
          if (role === 'head') add(coordinator.head, 'head', (l) => coordinator.name[l], coordinator);
          if (role === 'coordinator') add(coordinator.contact, 'coordinator', (l) => coordinator.name[l], coordinator);
          if (role === 'approving-authority') {
            const a = units.get(program.approvingAuthority)!;
            add(a.contact, 'approving-authority', (l) => a.name[l], a);
          }
          if (role === 'escalation-recipients') {
            for (const ref of program.escalationRecipients) {
              const unit = typeof ref === 'string' ? units.get(ref) : undefined;
              const box = unit ? unit.contact : (ref as Mailbox);
              add(box, 'escalation-recipient', (l) => (unit ? unit.name[l] : (box.name ?? box.email)), unit);
            }
          }
        }
      } else {
        add(coordinator.contact, 'coordinator', (l) => coordinator.name[l], coordinator);
      }
      if (req.kind === 'issued') {
        for (const r of resolveIssuing(program).recipients) {
          const unit = units.get(r.id);
          const addressee = program.recipientsAbove.find((a) => a.id === r.id);
          if (unit) add(unit.contact, r.purpose === 'report' ? 'send-to' : 'copy-to', (l) => unit.name[l], unit);
          else if (addressee?.email) add({ email: addressee.email, name: addressee.name.vi }, r.purpose === 'report' ? 'send-to' : 'copy-to', (l) => addressee.name[l]);
        }
      }
      const seen = new Set<string>();
      const recipients = to.filter((t) => (seen.has(t.recipient.email.toLowerCase()) ? false : (seen.add(t.recipient.email.toLowerCase()), true)));
      if (!recipients.length) return { queued: 0, duplicates: 0 };

      const kind = KIND[req.kind];
      const key = `report:${report.id}|${kind}|${req.step}`;
      if (await db.notification.findUnique({ where: { idempotencyKey: key }, select: { id: true } })) return { queued: 0, duplicates: 1 };
      const { dueAt } = await plan(report.id);
      const issuing = resolveIssuing(program);
      const language = coordinator.language;
      const state = report.state;
      const input: MailInput = {
        kind,
        template: templateFor(kind, 'above'),
        step: req.step,
        language,
        program,
        // A year's or a review's report has no round: the mail speaks of the report itself.
        round: round
          ? { id: round.id, title: round.title, subject: round.subject, year: round.year, deadline: round.deadline }
          : { id: report.id, title: { vi: report.model.title.vi, en: report.model.title.en }, subject: null, year: report.toYear, deadline: dueAt },
        at: req.at,
        link: `${env.KYBAO_BASE_URL}/reports/${encodeURIComponent(report.id)}`,
        unit: null,
        audience: { role: 'above', names: [...new Set(recipients.map((r) => r.name(language)))] },
        obligation: req.kind === 'issued' ? null : { dueAt, status: req.kind === 'reminder' ? 'pending' : 'overdue', submittedAt: null },
        listed: [],
        submission: null,
        extension: null,
        estimate: null,
        estimates: [],
        failures: [],
        compilationReference: null,
        report: {
          id: report.id,
          title: report.title,
          stage: req.kind,
          dueAt,
          number: state.status === 'issued' ? documentNumber(state.number, issuing.symbol) : null,
          issuedAt: state.status === 'issued' ? state.issuedAt : null,
          signer: state.status === 'issued' ? `${state.signer.title.join(' ')} ${state.signer.name}` : null,
          documents: req.documents ?? null,
        },
      };
      const mail = renderMail(mailTemplatesFor(env.KYBAO_MAIL_TEMPLATES_DIR), input);
      const { created } = await enqueueNotifications(db, [
        {
          idempotencyKey: key,
          roundId: round?.id ?? null,
          // Not a unit's mail: a unit's outbox (per-unit status pages, lateness) must not count it.
          unitId: null,
          kind,
          step: String(req.step),
          recipients: recipients.map((r) => r.recipient),
          language,
          subject: mail.subject,
          bodyText: mail.text,
          bodyHtml: mail.html,
          messageId: messageIdFor(key, senderDomain(env.MAIL_FROM)),
          createdAt: req.at,
          actor: 'workflow',
        },
      ]);
      if (created[0]) notifyOutboxChanged();
      return { queued: created[0] ? 1 : 0, duplicates: created[0] ? 0 : 1 };
    },
  };
}

function displayName(box: Mailbox, unit: Unit): string {
  return box.name ? `${box.name} – ${unit.name[unit.language]}` : unit.name[unit.language];
}

export type CompiledReportActivities = ReturnType<typeof createCompiledReportActivities>;
