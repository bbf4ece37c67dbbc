import { DateTime } from 'luxon';
import { resolveIssuing } from '../domain/compilation/issuing';
import { documentNumber, type Signer } from '../domain/compilation/lifecycle';
import type { CompiledReportModel } from '../domain/compilation/model';
import type { CompiledReportStatus, ReportNoticeSent } from '../domain/compilation/obligation';
import { formatInstant } from '../domain/calendar/notices';
import type { Program } from '../domain/program/schema';
import { getCompiledReport, listCompiledReports as listStoredReports, type CompiledReportRecord } from '../infra/db/compiled-reports';
import { getProgramDefinition } from '../infra/db/program-repository';
import { compiledReportWorkflowId } from '../workflows/ids';
import type { Actor, AppClients } from './context';
import { AppError } from './errors';
import { allows, type Permission } from './roles';
import { cleanText, nfc } from './text';

/**
 * The coordinator's compiled reports (issue #15): list and read them, edit a draft's introduction and
 * conclusions, compile it again, issue it with its register number. A round's report is an obligation
 * held by its workflow (`report:<id>`, workflows/compiled-report.ts), so every write is an Update to that
 * workflow through the gateway, which answers with the refusal's reason; reads come from the database,
 * plus the workflow's notices when it exists.
 *
 * Who: reads need `report.view` (coordinator, auditor), edits and recompiling `report.edit`, issuing
 * `report.issue` (coordinator only; app/roles.ts); the operator at the command line may do everything.
 * Every function fails with an AppError (app/errors.ts): 'forbidden', 'not-found', 'invalid' (with the
 * field), 'refused' (issued already, being issued, number taken), 'busy', 'unavailable'.
 */

/** One report in a list. Instants are ISO with the program's offset (+07:00); paths are relative to kybao's folder. */
export interface CompiledReportSummary {
  /** "<program>:<scope key>", e.g. "qd-925-thai-binh:2015-Q1". */
  id: string;
  programId: string;
  scope: 'round' | 'year' | 'review';
  roundId: string | null;
  fromYear: number;
  toYear: number;
  /** The report's title in Vietnamese, as printed. */
  title: string;
  status: 'draft' | 'issued';
  /** 1 on the first compilation, +1 each time the figures changed. */
  revision: number;
  compiledAt: string;
  /**
   * When it is to be issued, as its obligation was started with (round reports: the round's deadline +
   * compilation.issueWithinWorkingDays working days; a year's or a review's: 31 December of its last
   * year + compilation.yearReport/reviewReport.issueWithinWorkingDays); null when it has no workflow.
   */
  dueAt: string | null;
  /** Issued only: the register number, as printed ("05/BC-STTTT"), and when. */
  number: number | null;
  documentNumber: string | null;
  issuedAt: string | null;
  documents: { docx: string | null; xlsx: string | null };
}

/** One report in full: its texts, signer, compliance totals, and what its workflow has done. */
export interface CompiledReportDetail extends CompiledReportSummary {
  introduction: string;
  conclusions: string;
  signer: Signer | null;
  issuedBy: string | null;
  /** Units asked, on time, late, missing, and the rates as printed (the model's compliance totals). */
  compliance: CompiledReportModel['compliance']['totals'];
  /** The obligation's workflow; null when the report has none (compiled before reports were obligations). */
  workflow: {
    workflowId: string;
    running: boolean;
    /** The Update being handled right now, if any. */
    busy: CompiledReportStatus['busy'];
    /** Reminders, overdue notice, escalations and the issued mail sent so far. */
    notices: ReportNoticeSent[];
  } | null;
}

export interface EditCompiledReportInput {
  actor: Actor;
  id: string;
  /** New texts (NFC, trimmed, at most 20,000 characters); at least one. */
  introduction?: string;
  conclusions?: string;
}

export interface IssueCompiledReportInput {
  actor: Actor;
  id: string;
  /** The number in the issuer's register of outgoing documents for the year (1–99999; unique per program and year). */
  number: number;
  /** Who signs; default: the program's `compilation.signer` (a name is required somewhere). */
  signer?: { title?: string[]; name?: string };
  /** ISO instant with offset; default: now, by the workflow's clock. */
  issuedAt?: string;
}

/** The operator runs the command line with the database's credentials: every role's rights already. */
function requireRole(actor: Actor, permission: Permission): void {
  if (actor.role === 'operator') return;
  if (!allows(actor.role, permission)) throw new AppError('forbidden', `a ${actor.role} may not do this (${permission}); compiled reports are the coordinator's`);
}

async function programOf(c: Pick<AppClients, 'db'>, programId: string): Promise<Program> {
  const program = await getProgramDefinition(c.db, programId);
  if (!program) throw new AppError('not-found', `program ${programId} is not loaded; run "kybao program load"`, 'programId');
  return program;
}

async function stored(c: Pick<AppClients, 'db'>, id: string): Promise<CompiledReportRecord> {
  const report = await getCompiledReport(c.db, id);
  if (!report) throw new AppError('not-found', `no compiled report ${id}; list them with "kybao report list"`, 'id');
  return report;
}

/**
 * When the report is due, as its obligation was started with: the instant stored when its workflow first
 * planned it, else (a workflow that planned before it was stored) the workflow's own; null when it has no
 * workflow. Never recomputed from today's program, whose rule may have changed since.
 */
async function dueAtOf(c: Pick<AppClients, 'gateway'>, r: CompiledReportRecord, flow?: { status: CompiledReportStatus } | null): Promise<string | null> {
  if (r.dueAt) return r.dueAt;
  const status = flow === undefined ? await c.gateway.compiledReportStatus(r.id).catch(() => null) : flow;
  return status?.status.dueAt ?? null;
}

async function summaryOf(
  c: Pick<AppClients, 'db' | 'gateway'>,
  program: Program,
  r: CompiledReportRecord,
  flow?: { status: CompiledReportStatus } | null,
): Promise<CompiledReportSummary> {
  const due = await dueAtOf(c, r, flow);
  const issued = r.state.status === 'issued' ? r.state : null;
  const local = (iso: string) => formatInstant(Date.parse(iso), program.timeZone);
  return {
    id: r.id,
    programId: r.programId,
    scope: r.scope,
    roundId: r.roundId,
    fromYear: r.fromYear,
    toYear: r.toYear,
    title: r.title,
    status: r.state.status,
    revision: r.revision,
    compiledAt: local(r.compiledAt),
    dueAt: due === null ? null : formatInstant(Date.parse(due), program.timeZone),
    number: issued?.number ?? null,
    documentNumber: issued ? documentNumber(issued.number, resolveIssuing(program).symbol) : null,
    issuedAt: issued ? local(issued.issuedAt) : null,
    documents: { docx: r.documents.docx?.ref ?? null, xlsx: r.documents.xlsx?.ref ?? null },
  };
}

/** A program's compiled reports, oldest period first; `year` keeps those covering that year. */
export async function listCompiledReports(c: Pick<AppClients, 'db' | 'gateway'>, input: { actor: Actor; programId: string; year?: number }): Promise<CompiledReportSummary[]> {
  requireRole(input.actor, 'report.view');
  if (input.year !== undefined && (!Number.isInteger(input.year) || input.year < 1900 || input.year > 2999)) throw new AppError('invalid', `year ${input.year} is not a year; give four digits, e.g. 2015`, 'year');
  const program = await programOf(c, input.programId);
  const reports = await listStoredReports(c.db, { programId: input.programId, ...(input.year !== undefined ? { year: input.year } : {}) });
  return Promise.all(reports.map((r) => summaryOf(c, program, r)));
}

/** One compiled report in full, with its workflow's notices when it has one. */
export async function showCompiledReport(c: Pick<AppClients, 'db' | 'gateway'>, input: { actor: Actor; id: string }): Promise<CompiledReportDetail> {
  requireRole(input.actor, 'report.view');
  const report = await stored(c, input.id);
  const program = await programOf(c, report.programId);
  const flow = await c.gateway.compiledReportStatus(report.id);
  const issued = report.state.status === 'issued' ? report.state : null;
  return {
    ...(await summaryOf(c, program, report, flow)),
    introduction: report.state.introduction,
    conclusions: report.state.conclusions,
    signer: issued?.signer ?? null,
    issuedBy: issued?.issuedBy ?? null,
    compliance: { ...report.model.compliance.totals },
    workflow: flow ? { workflowId: compiledReportWorkflowId(report.id), running: flow.running, busy: flow.status.busy, notices: flow.status.notices } : null,
  };
}

/** Refuses a write to an issued report, or to one without a workflow, before asking Temporal. */
async function writable(c: Pick<AppClients, 'db' | 'gateway'>, id: string, what: string): Promise<{ report: CompiledReportRecord; program: Program }> {
  const report = await stored(c, id);
  const program = await programOf(c, report.programId);
  if (report.state.status === 'issued') {
    const number = documentNumber(report.state.number, resolveIssuing(program).symbol);
    throw new AppError('refused', `report ${id} was issued as number ${number} on ${formatInstant(Date.parse(report.state.issuedAt), program.timeZone)}; an issued report cannot be ${what}`);
  }
  const state = await c.gateway.workflowState(compiledReportWorkflowId(id));
  if (state !== 'RUNNING') {
    throw new AppError(
      'refused',
      `report ${id} has no running workflow (${state === null ? `none was started: ${report.scope === 'round' ? 'its round closed' : 'its year ended'} before ${report.scope === 'round' ? "rounds'" : "years' and reviews'"} reports became obligations` : `its workflow is ${state.toLowerCase()}`}); it cannot be ${what} here`,
    );
  }
  return { report, program };
}

/** Edits a draft's introduction and/or conclusions; refused while it is being issued, and once issued. */
export async function editCompiledReport(c: Pick<AppClients, 'db' | 'gateway'>, input: EditCompiledReportInput): Promise<CompiledReportDetail> {
  requireRole(input.actor, 'report.edit');
  const introduction = input.introduction === undefined ? undefined : nfc(input.introduction).trim();
  const conclusions = input.conclusions === undefined ? undefined : nfc(input.conclusions).trim();
  if (introduction === undefined && conclusions === undefined) throw new AppError('invalid', 'nothing to change: give the introduction and/or the conclusions', 'introduction');
  for (const [field, text] of [['introduction', introduction], ['conclusions', conclusions]] as const) {
    if (text !== undefined && text.length > 20_000) throw new AppError('invalid', `the ${field} is too long (${text.length} characters; at most 20,000)`, field);
  }
  await writable(c, input.id, 'edited');
  await c.gateway.editCompiledReport(input.id, { ...(introduction !== undefined ? { introduction } : {}), ...(conclusions !== undefined ? { conclusions } : {}), by: input.actor.id });
  return showCompiledReport(c, { actor: input.actor, id: input.id });
}

/** Compiles a draft again from the submissions now stored (late reports received after the close). */
export async function recompileCompiledReport(c: Pick<AppClients, 'db' | 'gateway'>, input: { actor: Actor; id: string }): Promise<CompiledReportDetail> {
  requireRole(input.actor, 'report.edit');
  await writable(c, input.id, 'recompiled');
  await c.gateway.recompileCompiledReport(input.id, { by: input.actor.id });
  return showCompiledReport(c, { actor: input.actor, id: input.id });
}

/**
 * Issues a draft with its register number and signer. The workflow then renders the issued documents,
 * mails them to the coordinator and the report's addressees, and completes; the answer comes as soon
 * as the number is recorded (documents follow within seconds: see `showCompiledReport`).
 */
export async function issueCompiledReport(c: Pick<AppClients, 'db' | 'gateway'>, input: IssueCompiledReportInput): Promise<CompiledReportDetail> {
  requireRole(input.actor, 'report.issue');
  if (!Number.isInteger(input.number) || input.number < 1 || input.number > 99_999) {
    throw new AppError('invalid', `the number must be a whole number from 1 to 99999 (the register of outgoing documents), not ${String(input.number)}`, 'number');
  }
  let issuedAt: string | undefined;
  if (input.issuedAt !== undefined) {
    const dt = DateTime.fromISO(input.issuedAt, { setZone: true });
    if (!dt.isValid || !/(Z|[+-]\d{2}:?\d{2})$/.test(input.issuedAt)) throw new AppError('invalid', `issuedAt "${input.issuedAt}" is not an instant with an offset; write e.g. 2015-04-07T10:00:00+07:00`, 'issuedAt');
    issuedAt = dt.toISO()!;
  }
  const { program } = await writable(c, input.id, 'issued again');
  const defaults = resolveIssuing(program).signer;
  const name = cleanText(input.signer?.name) ?? defaults.name ?? undefined;
  if (!name) throw new AppError('invalid', "give the signer's full name (the program file names none in compilation.signer.name)", 'signer.name');
  const title = (input.signer?.title ?? defaults.title).map((t) => nfc(t).trim()).filter((t) => t !== '');
  if (!title.length) throw new AppError('invalid', 'give the signer’s position, e.g. "GIÁM ĐỐC" or "KT. GIÁM ĐỐC|PHÓ GIÁM ĐỐC"', 'signer.title');
  await c.gateway.issueCompiledReport(input.id, { number: input.number, signer: { title, name }, ...(issuedAt ? { issuedAt } : {}), by: input.actor.id });
  return showCompiledReport(c, { actor: input.actor, id: input.id });
}
