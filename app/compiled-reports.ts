import { DateTime } from 'luxon';
import { resolveIssuing } from '../domain/compilation/issuing';
import { documentNumber } from '../domain/compilation/lifecycle';
import { formatInstant } from '../domain/calendar/notices';
import type { Program } from '../domain/program/schema';
import { getCompiledReport, listCompiledReports as listStoredReports, type CompiledReportRecord } from '../infra/db/compiled-reports';
import { detailOf, reportWorkflowOf, summaryOf, type CompiledReportDetail, type CompiledReportSummary } from './compiled-report-view';
import { getProgramDefinition } from '../infra/db/program-repository';
import { compiledReportWorkflowId } from '../workflows/ids';

export type { CompiledReportDetail, CompiledReportSummary } from './compiled-report-view';
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

const notFound = (id: string) => new AppError('not-found', `no compiled report ${id.slice(0, 100)}; list the program's reports and choose one`, 'id');

async function stored(c: Pick<AppClients, 'db'>, id: string): Promise<CompiledReportRecord> {
  const report = await getCompiledReport(c.db, id);
  if (!report) throw notFound(id);
  return report;
}

/**
 * A program's compiled reports, oldest period first; `year` keeps those covering that year. The overdue
 * flag is judged at `c.clock.now()`.
 */
export async function listCompiledReports(c: Pick<AppClients, 'db' | 'clock' | 'gateway'>, input: { actor: Actor; programId: string; year?: number }): Promise<CompiledReportSummary[]> {
  requireRole(input.actor, 'report.view');
  if (input.year !== undefined && (!Number.isInteger(input.year) || input.year < 1900 || input.year > 2999)) throw new AppError('invalid', `year ${input.year} is not a year; give four digits, e.g. 2015`, 'year');
  await programOf(c, input.programId); // an unknown program is 'not-found', not an empty list
  const reports = await listStoredReports(c.db, { programId: input.programId, ...(input.year !== undefined ? { year: input.year } : {}) });
  const now = c.clock.now();
  // A report whose workflow planned before due instants were stored: its workflow's own, if it answers.
  const flowOf = (id: string) => c.gateway.compiledReportStatus(id).catch(() => null);
  return Promise.all(reports.map(async (r) => summaryOf(r, now, r.dueAt ? null : await flowOf(r.id))));
}

/**
 * One compiled report in full, with its workflow's notices when it has one. `programId` refuses (not
 * found) a report of another program. Without `warn`, a workflow that does not answer fails the call
 * ('unavailable'); with it, the stored report is shown without its workflow and the reason is warned.
 */
export async function showCompiledReport(
  c: Pick<AppClients, 'db' | 'gateway' | 'clock'>,
  input: { actor: Actor; id: string; programId?: string; warn?: (message: string) => void },
): Promise<CompiledReportDetail> {
  requireRole(input.actor, 'report.view');
  const report = await stored(c, input.id);
  if (input.programId !== undefined && report.programId !== input.programId) throw notFound(input.id);
  const flow = input.warn ? await reportWorkflowOf(c, report.id, input.warn) : await c.gateway.compiledReportStatus(report.id);
  return detailOf(report, c.clock.now(), flow);
}

/** Refuses a write to an issued report, or to one without a workflow, before asking Temporal. */
async function writable(c: Pick<AppClients, 'db' | 'gateway' | 'clock'>, id: string, what: string): Promise<{ report: CompiledReportRecord; program: Program }> {
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
export async function editCompiledReport(c: Pick<AppClients, 'db' | 'gateway' | 'clock'>, input: EditCompiledReportInput): Promise<CompiledReportDetail> {
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
export async function recompileCompiledReport(c: Pick<AppClients, 'db' | 'gateway' | 'clock'>, input: { actor: Actor; id: string }): Promise<CompiledReportDetail> {
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
export async function issueCompiledReport(c: Pick<AppClients, 'db' | 'gateway' | 'clock'>, input: IssueCompiledReportInput): Promise<CompiledReportDetail> {
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
