import type { Program, Unit } from '../../domain/program/schema';
import { unitIndexOf } from '../../domain/program/unit-index';
import { latenessOfIso } from '../../domain/round/lateness';
import type { NotificationKind } from '../round-types';
import { duration, percent, timing, vnd, when, workingDays, type Language, type Timing, type When } from '../../domain/text/format';
import { LANGUAGES, TEMPLATE_NAMES, type Labels, type MailTemplates, type RenderedMail, type TemplateName } from './templates';

/**
 * What a mail template sees. Every field is always present — absent values are null and lists are
 * empty — so that under Handlebars' strict mode a name the context does not have is always an error
 * (a typo in a template, or a template asking for data its kind does not carry), never a blank.
 * The operator's reference for these names is templates/mail/README.md.
 */
export interface MailContext {
  language: Language;
  kind: NotificationKind;
  template: TemplateName;
  step: number;
  program: { id: string; title: string; reference: string | null };
  round: { id: string; title: string; subject: string | null; year: number; deadline: When };
  unit: { id: string; name: string } | null;
  /** Whom the mail greets, e.g. "Bộ phận Thông tin đối ngoại, Sở Thông tin và Truyền thông". */
  addressee: string;
  /**
   * The deadline in force for the unit (an extension moves it), or the round's for aggregated mails;
   * null for mails about decisions (estimates, plan approval, appraisal summary, compilation).
   */
  due: When | null;
  /** Time left until `due` (or overdue), seen from `at`; null when `due` is. */
  timing: Timing | null;
  /** When the notification was decided (the workflow's instant). */
  at: When;
  /** Where to submit or look: KYBAO_BASE_URL/rounds/<round>[/units/<unit>]. */
  link: string;
  coordinator: { name: string; email: string };
  /** The budget appraiser (Sở Tài chính) and the approving authority (UBND tỉnh). */
  appraiser: { name: string };
  authority: { name: string };
  reminder: { count: number; workingDays: string; dueToday: boolean } | null;
  escalation: { step: number; overdueBy: string } | null;
  submission: { version: number; at: When; late: boolean; lateBy: string | null; reference: string | null } | null;
  extension: { previousDue: When | null; reason: string | null; grantedBy: string | null } | null;
  estimate: { version: number; amount: string; approvedAmount: string | null; reason: string | null; decidedBy: string | null } | null;
  /** "3 đơn vị" / "3 units": how many `units` there are, in words. */
  unitCount: string;
  /** The units an aggregated mail is about (escalation to the coordinator, round closed). */
  units: Array<{ id: string; name: string; status: string; statusName: string; due: When; overdueBy: string | null; submittedAt: When | null }>;
  /** Units the mail is about but does not list (0 unless the round is large). */
  unitsMore: number;
  results: {
    tracked: number;
    submitted: number;
    late: number;
    missing: number;
    extended: number;
    notTracked: number;
    completionRate: string;
    timelinessRate: string;
  } | null;
  estimates: Array<{ unitName: string; version: number; amount: string; status: string; statusName: string; approvedAmount: string | null }>;
  /** Notifications of this round that could not be delivered (permanent failure), for the coordinator. */
  failures: Array<{ unitName: string | null; kindName: string; to: string; error: string; at: When }>;
  compilation: { reference: string | null } | null;
  /**
   * A compiled report the coordinator owes (report-due: reminder, overdue or escalation; report-issued),
   * null for every other kind. `due` and `timing` above are the report's due instant then.
   */
  report: {
    id: string;
    title: string;
    reminder: boolean;
    overdue: boolean;
    escalation: boolean;
    /** Reminders: "3 ngày làm việc" / "3 working days" before the due day. */
    workingDays: string | null;
    /** Overdue and escalation: "2 ngày 8 giờ". */
    overdueBy: string | null;
    /** "05/BC-STTTT" once issued. */
    number: string | null;
    issuedAt: When | null;
    signer: string | null;
    /** The issued documents, as paths the recipients' office can open (relative to kybao's folder). */
    docx: string | null;
    xlsx: string | null;
  } | null;
}

/** A compiled report's facts for its mails (activities/compiled-report.ts reads them). */
export interface ReportFacts {
  id: string;
  title: string;
  stage: 'reminder' | 'overdue' | 'escalation' | 'issued';
  dueAt: string;
  number: string | null;
  issuedAt: string | null;
  signer: string | null;
  documents: { docx: string; xlsx: string } | null;
}

/** The raw facts a mail is made from; notify.ts reads them from the database. */
export interface MailInput {
  kind: NotificationKind;
  template: TemplateName;
  step: number;
  language: Language;
  program: Program;
  round: { id: string; title: { vi: string; en: string }; subject: string | null; year: number; deadline: string };
  /** The notification's instant (NotifyRequest.at). */
  at: string;
  link: string;
  /** The unit a per-unit mail is for. */
  unit: Unit | null;
  /** Who receives it: the unit's contact or head, or the aggregated recipients' units/mailboxes. */
  audience: { role: 'reporting' | 'head' } | { role: 'above'; names: string[] };
  obligation: ObligationFacts | null;
  /** Listed units with their obligations (aggregated mails), at most a few hundred. */
  listed: Array<{ unit: Unit; obligation: ObligationFacts | null }>;
  /** How many more units the mail is about than it lists (a large round); reached through its link. */
  listedMore?: number;
  /** For the closing mail: the round's obligations by status (all of them, listed or not). */
  counts?: Record<string, number> | null;
  submission: { version: number; submittedAt: string; reference: string | null } | null;
  extension: { previousDueAt: string | null; reason: string | null; grantedBy: string | null } | null;
  estimate: { version: number; amountVnd: string; approvedAmountVnd: string | null; reason: string | null; decidedBy: string | null } | null;
  estimates: Array<{ unit: Unit; version: number; amountVnd: string; status: keyof Labels['estimateStatus']; approvedAmountVnd: string | null }>;
  failures: Array<{ unit: Unit | null; kind: string; to: string[]; error: string; at: string }>;
  /** For closed rounds: every obligation of the round (listed units are the same set). */
  compilationReference: string | null;
  /** For report-* kinds: the compiled report the mail is about. */
  report?: ReportFacts | null;
}

export interface ObligationFacts {
  dueAt: string;
  status: keyof Labels['status'];
  submittedAt: string | null;
}

/** The template for a notification: escalations have one for unit heads and one for the coordinator and above. */
export function templateFor(kind: NotificationKind, audience: 'reporting' | 'head' | 'above'): TemplateName {
  if (kind === 'escalation') return audience === 'head' ? 'escalation-head' : 'escalation-above';
  if (kind === 'report-reminder' || kind === 'report-overdue' || kind === 'report-escalation') return 'report-due';
  return kind;
}

/** Kinds whose mail is about a deadline (and so shows it and the time left). */
const DEADLINE_KINDS: readonly NotificationKind[] = ['opened', 'adhoc-announced', 'reminder', 'overdue', 'escalation', 'receipt', 'late-receipt', 'extended', 'closed', 'report-reminder', 'report-overdue', 'report-escalation'];

export function buildMailContext(input: MailInput, labels: Labels): MailContext {
  const lang = input.language;
  const zone = input.program.timeZone;
  const name = (u: Unit) => u.name[lang];
  const unitOf = (id: string) => unitIndexOf(input.program).byId.get(id)!;
  const coordinator = unitOf(input.program.coordinator);
  const hasDeadline = DEADLINE_KINDS.includes(input.kind);
  const dueAt = input.obligation?.dueAt ?? input.round.deadline;
  const dueWhen = when(dueAt, zone, lang);
  const lastLocalDay = dueWhen.lastDay;
  const atWhen = when(input.at, zone, lang);

  let addressee: string;
  if (input.audience.role === 'above') addressee = input.audience.names.join('; ');
  else if (input.unit) {
    const box = input.audience.role === 'head' ? input.unit.head : input.unit.contact;
    // Mailbox names are written in Vietnamese in the program file; English mails name the unit only.
    addressee =
      lang === 'vi'
        ? `${box.name ?? (input.audience.role === 'head' ? 'Thủ trưởng đơn vị' : 'Bộ phận báo cáo')}, ${name(input.unit)}`
        : `${input.audience.role === 'head' ? 'Head of ' : ''}${name(input.unit)}`;
  } else addressee = name(coordinator);

  // At the deadline instant itself a report is already late (domain/round/lateness.ts): "overdue by less than a minute".
  const overdueBy = (due: string) => {
    const l = latenessOfIso(input.at, due);
    return l.late ? duration(l.lateByMs, lang) : null;
  };

  const tracked = input.listed.filter((l) => l.obligation && l.obligation.status !== 'not-tracked');
  const counted = input.counts ?? null;
  const count = (...statuses: string[]) =>
    counted ? statuses.reduce((n, s) => n + (counted[s] ?? 0), 0) : tracked.filter((l) => statuses.includes(l.obligation!.status)).length;
  const trackedCount = counted ? Object.entries(counted).reduce((n, [s, c]) => (s === 'not-tracked' ? n : n + c), 0) : tracked.length;
  const listedTotal = input.listed.length + (input.listedMore ?? 0);

  return {
    language: lang,
    kind: input.kind,
    template: input.template,
    step: input.step,
    program: { id: input.program.id, title: input.program.title[lang], reference: input.program.source?.reference ?? null },
    round: { id: input.round.id, title: input.round.title[lang], subject: input.round.subject, year: input.round.year, deadline: when(input.round.deadline, zone, lang) },
    unit: input.unit ? { id: input.unit.id, name: name(input.unit) } : null,
    addressee,
    due: hasDeadline ? dueWhen : null,
    timing: hasDeadline ? timing(input.at, dueAt, lang) : null,
    at: atWhen,
    link: input.link,
    coordinator: { name: name(coordinator), email: coordinator.contact.email },
    appraiser: { name: name(unitOf(input.program.appraiser)) },
    authority: { name: name(unitOf(input.program.approvingAuthority)) },
    reminder:
      input.kind === 'reminder'
        ? {
            count: input.step,
            workingDays: workingDays(input.step, lang),
            // The reminder goes out on the deadline's last day ("before the 25th": on the 24th).
            dueToday: atWhen.day === lastLocalDay,
          }
        : null,
    escalation: input.kind === 'escalation' ? { step: input.step, overdueBy: overdueBy(dueAt) ?? duration(0, lang) } : null,
    submission: input.submission
      ? (() => {
          const l = latenessOfIso(input.submission.submittedAt, dueAt);
          return {
            version: input.submission.version,
            at: when(input.submission.submittedAt, zone, lang),
            late: l.late,
            // Null on time and at the deadline instant itself (late, but by no measurable time).
            lateBy: l.lateByMs > 0 ? duration(l.lateByMs, lang) : null,
            reference: input.submission.reference,
          };
        })()
      : null,
    extension: input.extension
      ? {
          previousDue: input.extension.previousDueAt ? when(input.extension.previousDueAt, zone, lang) : null,
          reason: input.extension.reason,
          grantedBy: input.extension.grantedBy,
        }
      : null,
    estimate: input.estimate
      ? {
          version: input.estimate.version,
          amount: vnd(input.estimate.amountVnd, lang),
          approvedAmount: input.estimate.approvedAmountVnd === null ? null : vnd(input.estimate.approvedAmountVnd, lang),
          reason: input.estimate.reason,
          decidedBy: input.estimate.decidedBy,
        }
      : null,
    unitCount: lang === 'vi' ? `${listedTotal} đơn vị` : `${listedTotal} unit${listedTotal === 1 ? '' : 's'}`,
    unitsMore: input.listedMore ?? 0,
    units: input.listed.map(({ unit, obligation }) => {
      const due = obligation?.dueAt ?? input.round.deadline;
      const status = obligation?.status ?? 'pending';
      return {
        id: unit.id,
        name: name(unit),
        status,
        statusName: labels.status[status],
        due: when(due, zone, lang),
        overdueBy: obligation?.submittedAt ? null : overdueBy(due),
        submittedAt: obligation?.submittedAt ? when(obligation.submittedAt, zone, lang) : null,
      };
    }),
    results:
      input.kind === 'closed'
        ? {
            tracked: trackedCount,
            submitted: count('submitted'),
            late: count('late'),
            missing: count('missing', 'overdue', 'pending'),
            extended: count('extended'),
            notTracked: counted ? (counted['not-tracked'] ?? 0) : input.listed.length - tracked.length,
            completionRate: percent(trackedCount ? count('submitted', 'late') / trackedCount : 0, lang),
            timelinessRate: percent(trackedCount ? count('submitted') / trackedCount : 0, lang),
          }
        : null,
    estimates: input.estimates.map((e) => ({
      unitName: name(e.unit),
      version: e.version,
      amount: vnd(e.amountVnd, lang),
      status: e.status,
      statusName: labels.estimateStatus[e.status],
      approvedAmount: e.approvedAmountVnd === null ? null : vnd(e.approvedAmountVnd, lang),
    })),
    failures: input.failures.map((f) => ({
      unitName: f.unit ? name(f.unit) : null,
      kindName: (labels.kind as Record<string, string>)[f.kind] ?? f.kind,
      to: f.to.join(', '),
      error: f.error,
      at: when(f.at, zone, lang),
    })),
    compilation: input.kind === 'compilation' ? { reference: input.compilationReference } : null,
    report: input.report
      ? {
          id: input.report.id,
          title: input.report.title,
          reminder: input.report.stage === 'reminder',
          overdue: input.report.stage === 'overdue',
          escalation: input.report.stage === 'escalation',
          workingDays: input.report.stage === 'reminder' ? workingDays(input.step, lang) : null,
          overdueBy: input.report.stage === 'overdue' || input.report.stage === 'escalation' ? (overdueBy(input.report.dueAt) ?? duration(0, lang)) : null,
          number: input.report.number,
          issuedAt: input.report.issuedAt ? when(input.report.issuedAt, zone, lang) : null,
          signer: input.report.signer,
          docx: input.report.documents?.docx ?? null,
          xlsx: input.report.documents?.xlsx ?? null,
        }
      : null,
  };
}

export function renderMail(templates: MailTemplates, input: MailInput): RenderedMail {
  return templates.render(input.template, input.language, buildMailContext(input, templates.labels(input.language)));
}

/**
 * A full sample of each template's input, from a program's first units: used to check every
 * template at worker start-up and in the tests. Instants follow the default program's Q1 2015 round
 * (deadline 00:00 on Wednesday 25 March 2015, Asia/Ho_Chi_Minh).
 */
export function sampleMailInput(template: TemplateName, language: Language, program: Program, baseUrl = 'https://kybao.example'): MailInput {
  // Sample units that are neither the coordinator nor the appraiser, so the sample reads like a real mail.
  const others = program.units.filter((u) => u.reports && u.id !== program.coordinator && u.id !== program.appraiser);
  const units = others.length ? others : program.units;
  const [a, b, c] = [units[0]!, units[1] ?? units[0]!, units[2] ?? units[0]!];
  const kind: NotificationKind =
    template === 'escalation-head' || template === 'escalation-above' ? 'escalation' : template === 'report-due' ? 'report-reminder' : template;
  const deadline = '2015-03-24T17:00:00.000Z';
  const at: Record<TemplateName, string> = {
    opened: '2015-01-01T01:00:00.000Z',
    'adhoc-announced': '2015-03-02T03:00:00.000Z',
    reminder: '2015-03-24T01:00:00.000Z',
    overdue: deadline,
    'escalation-head': '2015-03-26T01:00:00.000Z',
    'escalation-above': '2015-03-30T01:00:00.000Z',
    receipt: '2015-03-20T03:15:00.000Z',
    'late-receipt': '2015-03-26T02:30:00.000Z',
    extended: '2015-03-23T04:00:00.000Z',
    closed: '2015-03-30T01:00:00.000Z',
    'estimate-approved': '2015-01-10T03:00:00.000Z',
    'estimate-adjusted': '2015-01-10T03:00:00.000Z',
    'estimate-returned': '2015-01-10T03:00:00.000Z',
    'appraisal-summary': '2015-01-15T01:00:00.000Z',
    'plan-approved': '2015-01-30T02:00:00.000Z',
    compilation: '2016-01-05T02:00:00.000Z',
    // Q1 2015's report is due 2015-04-09T00:00+07:00 (10 working days after the 25th); 3 working days before: Fri 3 Apr 08:00.
    'report-due': '2015-04-03T01:00:00.000Z',
    'report-issued': '2015-04-07T03:00:00.000Z',
  };
  const perUnit = !['escalation-above', 'closed', 'appraisal-summary', 'compilation', 'report-due', 'report-issued'].includes(template);
  const reportDue = '2015-04-08T17:00:00.000Z';
  const step = template === 'report-due' ? 3 : template === 'reminder' ? 1 : template === 'escalation-head' ? 1 : template === 'escalation-above' ? 2 : template.startsWith('estimate') ? 1 : template === 'receipt' || template === 'late-receipt' ? 1 : template === 'extended' ? 1 : 0;
  const extendedDue = '2015-03-31T17:00:00.000Z';
  const obligation: ObligationFacts | null = perUnit
    ? {
        dueAt: template === 'extended' ? extendedDue : deadline,
        status: template === 'receipt' ? 'submitted' : template === 'late-receipt' ? 'late' : template === 'extended' ? 'extended' : template === 'overdue' || template === 'escalation-head' ? 'overdue' : 'pending',
        submittedAt: template === 'receipt' || template === 'late-receipt' ? at[template] : null,
      }
    : null;
  const listed =
    template === 'escalation-above' || template === 'closed'
      ? [
          { unit: a, obligation: { dueAt: deadline, status: template === 'closed' ? ('missing' as const) : ('overdue' as const), submittedAt: null } },
          template === 'closed'
            ? { unit: b, obligation: { dueAt: deadline, status: 'late' as const, submittedAt: '2015-03-26T02:30:00.000Z' } }
            : { unit: b, obligation: { dueAt: '2015-03-27T17:00:00.000Z', status: 'extended' as const, submittedAt: null } },
          template === 'closed'
            ? { unit: c, obligation: { dueAt: deadline, status: 'submitted' as const, submittedAt: '2015-03-20T03:15:00.000Z' } }
            : { unit: c, obligation: { dueAt: deadline, status: 'overdue' as const, submittedAt: null } },
        ]
      : [];
  const coordinator = program.units.find((u) => u.id === program.coordinator)!;
  const authority = program.units.find((u) => u.id === program.approvingAuthority)!;
  return {
    kind,
    template,
    step,
    language,
    program,
    round: {
      id: template === 'adhoc-announced' ? `${program.id}:2015-adhoc-1` : `${program.id}:2015-Q1`,
      title: template === 'adhoc-announced' ? { vi: 'Báo cáo đột xuất về công tác thông tin đối ngoại', en: 'Ad hoc report on external information' } : { vi: 'Báo cáo đánh giá tình hình thực hiện quý I/2015', en: 'Implementation report, Q1 2015' },
      subject: template === 'adhoc-announced' ? 'Kết quả tuyên truyền Năm Du lịch quốc gia 2015' : null,
      year: 2015,
      deadline,
    },
    at: at[template],
    link: `${baseUrl}/rounds/${encodeURIComponent(`${program.id}:2015-Q1`)}${perUnit ? `/units/${a.id}` : ''}`,
    unit: perUnit ? a : null,
    audience: perUnit
      ? { role: template === 'escalation-head' ? 'head' : 'reporting' }
      : {
          role: 'above',
          names:
            template === 'appraisal-summary'
              ? [authority.name[language]]
              : template === 'compilation'
                ? [authority.name[language], ...program.recipientsAbove.filter((r) => r.email).map((r) => r.name[language])]
                : template === 'escalation-above'
                  ? [coordinator.name[language], ...program.escalationRecipients.map((r) => (typeof r === 'string' ? program.units.find((u) => u.id === r)!.name[language] : (r.name ?? r.email)))]
                  : [coordinator.name[language]],
        },
    obligation: template === 'report-due' ? { dueAt: reportDue, status: 'pending', submittedAt: null } : obligation,
    listed,
    submission:
      template === 'receipt' || template === 'late-receipt' ? { version: 1, submittedAt: at[template], reference: 'https://docs.thaibinh.example/bao-cao/q1-2015.pdf' } : null,
    extension: template === 'extended' ? { previousDueAt: deadline, reason: 'Đơn vị đang tổng hợp số liệu từ các huyện', grantedBy: 'coordinator@thaibinh.example' } : null,
    estimate: template.startsWith('estimate-')
      ? {
          version: 1,
          amountVnd: '250000000',
          approvedAmountVnd: template === 'estimate-approved' ? '250000000' : template === 'estimate-adjusted' ? '200000000' : null,
          reason: template === 'estimate-returned' ? 'Thiếu thuyết minh chi tiết các khoản chi' : template === 'estimate-adjusted' ? 'Giảm chi hội nghị' : null,
          decidedBy: 'tham-dinh@sotaichinh.thaibinh.example',
        }
      : null,
    estimates:
      template === 'appraisal-summary'
        ? [
            { unit: a, version: 1, amountVnd: '250000000', status: 'approved', approvedAmountVnd: '250000000' },
            { unit: b, version: 2, amountVnd: '180000000', status: 'adjusted', approvedAmountVnd: '150000000' },
            { unit: c, version: 1, amountVnd: '90000000', status: 'returned', approvedAmountVnd: null },
          ]
        : [],
    failures:
      template === 'escalation-above' || template === 'closed'
        ? [{ unit: c, kind: 'reminder', to: [c.contact.email], error: '550 5.1.1 mailbox unavailable', at: '2015-03-16T01:00:05.000Z' }]
        : [],
    compilationReference: template === 'compilation' ? '.data/reports/qd-925-thai-binh/annual-2015.md' : null,
    report:
      template === 'report-due' || template === 'report-issued'
        ? {
            id: `${program.id}:2015-Q1`,
            title: 'Báo cáo kết quả thực hiện quý I năm 2015',
            stage: template === 'report-due' ? 'reminder' : 'issued',
            dueAt: reportDue,
            number: template === 'report-issued' ? '05/BC-STTTT' : null,
            issuedAt: template === 'report-issued' ? at[template] : null,
            signer: template === 'report-issued' ? 'GIÁM ĐỐC Nguyễn Văn A' : null,
            documents: template === 'report-issued' ? { docx: `.data/reports/${program.id}/compiled/2015-Q1.so-05.docx`, xlsx: `.data/reports/${program.id}/compiled/2015-Q1.so-05.xlsx` } : null,
          }
        : null,
  };
}

/**
 * Renders every template in every language against its full sample: the start-up check of the
 * operator's templates. Returns one line per problem (empty when all is well).
 */
export function checkMailTemplates(templates: MailTemplates, program: Program): string[] {
  const problems: string[] = [];
  for (const name of TEMPLATE_NAMES) {
    for (const language of LANGUAGES) {
      try {
        renderMail(templates, sampleMailInput(name, language, program));
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
  }
  return problems;
}
