import { readFileSync } from 'node:fs';
import {
  editCompiledReport,
  issueCompiledReport,
  listCompiledReports,
  recompileCompiledReport,
  showCompiledReport,
  type CompiledReportDetail,
} from '../../../app/compiled-reports';
import type { Actor } from '../../../app/context';
import { nfc } from '../../../app/text';
import { actorOf, type ProgramFlags } from '../commands/common';
import { settingsFrom, withApp, type ConnectionFlags } from '../connection';
import { print, printJson, table } from '../output';
import { programIdOf } from './common';

/**
 * `kybao report …`: the coordinator's compiled reports through app/compiled-reports.ts. The person at the
 * command line is the operator (every role's rights); who acts is recorded as --by.
 */
export interface ReportListFlags extends ConnectionFlags, ProgramFlags {
  year?: number;
  json?: boolean;
}
export interface ReportShowFlags extends ConnectionFlags, ProgramFlags {
  json?: boolean;
}
export interface ReportEditFlags extends ReportShowFlags {
  introduction?: string;
  introductionFile?: string;
  conclusions?: string;
  conclusionsFile?: string;
  by?: string;
}
export interface ReportIssueFlags extends ReportShowFlags {
  number: number;
  signerName?: string;
  signerTitle?: string;
  issuedAt?: string;
  by?: string;
}

const operator = (by?: string): Actor => ({ id: nfc(actorOf(by)), role: 'operator' });

/** "2015-Q1" → "<program>:2015-Q1"; a full id is kept. */
function reportIdFrom(value: string, flags: ProgramFlags): string {
  const v = value.trim();
  if (!v) throw new Error('give the report id, e.g. qd-925-thai-binh:2015-Q1 (see "kybao report list")');
  return v.includes(':') ? v : `${programIdOf({ ...(flags.program ? { file: flags.program } : {}), ...(flags.programId ? { id: flags.programId } : {}) })}:${v}`;
}

function readText(file: string, what: string): string {
  try {
    return nfc(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${what}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give a UTF-8 text file`, { cause: err });
  }
}

function printDetail(r: CompiledReportDetail): void {
  const lines = [
    `${r.id}  ${r.title.vi}`,
    `status:      ${r.status}${r.documentNumber ? ` as number ${r.documentNumber} on ${r.issuedAt}${r.signer ? `, signed ${r.signer.title.join(' ')} ${r.signer.name}` : ''}` : ''}`,
    `due:         ${r.dueAt ? `before ${r.dueAt}` : '–'}`,
    `revision:    ${r.revision} (compiled ${r.compiledAt})`,
    `compliance:  ${r.compliance.totals.asked} asked, ${r.compliance.totals.onTime} on time, ${r.compliance.totals.late} late, ${r.compliance.totals.missing} missing`,
    `documents:   ${r.files.docx ?? '–'}  ${r.files.xlsx ?? ''}`.trimEnd(),
    `workflow:    ${r.workflow ? `${r.workflow.workflowId} (${r.workflow.running ? 'running' : 'completed'})${r.workflow.busy ? `, busy: ${r.workflow.busy}` : ''}` : 'none'}`,
  ];
  for (const n of r.workflow?.notices ?? []) lines.push(`  sent ${n.kind}${n.kind === 'reminder' ? ` (${n.step} working days before)` : n.kind === 'escalation' ? ` step ${n.step}` : ''} at ${n.at}`);
  lines.push('', 'introduction:', r.introduction || '–', '', 'conclusions:', r.conclusions || '–');
  print(lines.join('\n'));
}

export async function listReports(opts: ReportListFlags): Promise<void> {
  const env = settingsFrom(opts);
  const programId = programIdOf({ ...(opts.program ? { file: opts.program } : {}), ...(opts.programId ? { id: opts.programId } : {}) });
  const reports = await withApp(env, (c) => listCompiledReports(c, { actor: operator(), programId, ...(opts.year !== undefined ? { year: opts.year } : {}) }));
  if (opts.json) return printJson(reports);
  if (!reports.length) return print(`no compiled reports for ${programId}${opts.year ? ` in ${opts.year}` : ''}`);
  print(table(['id', 'status', 'number', 'due', 'revision', 'title'], reports.map((r) => [r.id, r.status, r.documentNumber ?? '', r.dueAt ?? '', String(r.revision), r.title.vi])));
}

export async function showReport(id: string, opts: ReportShowFlags): Promise<void> {
  const env = settingsFrom(opts);
  const r = await withApp(env, (c) => showCompiledReport(c, { actor: operator(), id: reportIdFrom(id, opts) }));
  if (opts.json) return printJson(r);
  printDetail(r);
}

export async function editReport(id: string, opts: ReportEditFlags): Promise<void> {
  const introduction = opts.introductionFile !== undefined ? readText(opts.introductionFile, '--introduction-file') : opts.introduction !== undefined ? nfc(opts.introduction) : undefined;
  const conclusions = opts.conclusionsFile !== undefined ? readText(opts.conclusionsFile, '--conclusions-file') : opts.conclusions !== undefined ? nfc(opts.conclusions) : undefined;
  if (introduction === undefined && conclusions === undefined) throw new Error('nothing to change: give --introduction, --introduction-file, --conclusions or --conclusions-file');
  const env = settingsFrom(opts);
  const r = await withApp(env, (c) =>
    editCompiledReport(c, { actor: operator(opts.by), id: reportIdFrom(id, opts), ...(introduction !== undefined ? { introduction } : {}), ...(conclusions !== undefined ? { conclusions } : {}) }),
  );
  if (opts.json) return printJson(r);
  print(`edited ${r.id} (draft, revision ${r.revision})`);
}

export async function recompileReport(id: string, opts: ReportShowFlags & { by?: string }): Promise<void> {
  const env = settingsFrom(opts);
  const r = await withApp(env, (c) => recompileCompiledReport(c, { actor: operator(opts.by), id: reportIdFrom(id, opts) }));
  if (opts.json) return printJson(r);
  print(`recompiled ${r.id}: revision ${r.revision}, ${r.compliance.totals.asked} asked, ${r.compliance.totals.onTime} on time, ${r.compliance.totals.late} late, ${r.compliance.totals.missing} missing`);
}

export async function issueReport(id: string, opts: ReportIssueFlags): Promise<void> {
  const title = opts.signerTitle === undefined ? undefined : nfc(opts.signerTitle).split('|').map((t) => t.trim()).filter((t) => t !== '');
  if (title !== undefined && !title.length) throw new Error('--signer-title: give the position, e.g. "GIÁM ĐỐC" or "KT. GIÁM ĐỐC|PHÓ GIÁM ĐỐC"');
  const env = settingsFrom(opts);
  const r = await withApp(env, (c) =>
    issueCompiledReport(c, {
      actor: operator(opts.by),
      id: reportIdFrom(id, opts),
      number: opts.number,
      ...(opts.signerName !== undefined || title !== undefined ? { signer: { ...(title ? { title } : {}), ...(opts.signerName !== undefined ? { name: nfc(opts.signerName) } : {}) } } : {}),
      ...(opts.issuedAt !== undefined ? { issuedAt: opts.issuedAt } : {}),
    }),
  );
  if (opts.json) return printJson(r);
  print(`issued ${r.id} as number ${r.documentNumber} on ${r.issuedAt}; its documents are rendered and sent to its addressees now (see "kybao report show ${r.id}")`);
}
