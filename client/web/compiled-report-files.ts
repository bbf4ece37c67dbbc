import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import contentDisposition from 'content-disposition';
import { renderReportDocx } from '../../documents/report-docx/render';
import { renderReportXlsx } from '../../documents/report-xlsx/render';
import { documentNumber } from '../../domain/compilation/lifecycle';
import { AppError } from '../../app/errors';
import type { CompiledReportRecord } from '../../infra/db/compiled-reports';
import { REPO_ROOT } from '../../infra/db/database-url';

/**
 * A compiled report's .docx or .xlsx for download, from its CompiledReport row only. An issued report
 * is served from the files rendered when it was issued (`documents.*.ref`, a path from the repository
 * root under KYBAO_REPORTS_DIR), checked against the SHA-256 recorded with them: that file is the
 * official one. A draft is rendered from the row each time (the .docx says "DỰ THẢO"), because the
 * coordinator's latest edit may not have been rendered to disk yet; so is an issued report whose files
 * are missing or no longer match their hash (the reason is in the server log, the user gets the report).
 */
export const CONTENT_TYPES = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;
export type ReportFileKind = keyof typeof CONTENT_TYPES;

export interface ReportFile {
  bytes: Buffer;
  contentType: string;
  /** The Content-Disposition header: the name in NFC, with an ASCII fallback and RFC 5987's filename*. */
  disposition: string;
  fileName: string;
  /** stored: the issued report's file as kept; rendered: made from the row now */
  source: 'stored' | 'rendered';
}

/** Characters no file system or browser keeps in a name, and control characters. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\\/:*?"<>|\u0000-\u001f\u007f]+/g;

/** "Báo cáo quý I năm 2015 (số 05-BC-STTTT).docx" or "Báo cáo quý I năm 2015 (dự thảo, lần 2).docx", NFC. */
export function reportFileName(report: CompiledReportRecord, kind: ReportFileKind): string {
  const { model, state } = report;
  const which = state.status === 'issued' ? `số ${documentNumber(state.number, model.issuing.symbol)}` : `dự thảo, lần ${report.revision}`;
  const period = model.period.vi.length > 100 ? `${model.period.vi.slice(0, 99)}…` : model.period.vi;
  return `Báo cáo ${period} (${which}).${kind}`.normalize('NFC').replace(UNSAFE, '-');
}

/** The same name in ASCII, for clients that do not read RFC 5987: "Bao cao quy I nam 2015 (du thao, lan 2).docx". */
export function asciiFileName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]/g, '_');
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function storedFile(ref: { ref: string; sha256: string }, log: (message: string) => void): Promise<Buffer | null> {
  const file = path.resolve(REPO_ROOT, ref.ref);
  try {
    const bytes = await readFile(file);
    if (sha256(bytes) === ref.sha256) return bytes;
    log(`${ref.ref}: its SHA-256 is not the one recorded with the report; serving a fresh rendering`);
  } catch (err) {
    log(`${ref.ref}: ${(err as Error).message.split('\n')[0]}; serving a fresh rendering`);
  }
  return null;
}

export async function reportFile(report: CompiledReportRecord | null, kind: ReportFileKind, log: (message: string) => void = () => undefined): Promise<ReportFile> {
  if (!report) throw new AppError('not-found', 'no such compiled report; open the list of reports and choose one', 'id');
  const ref = report.documents[kind];
  const stored = report.state.status === 'issued' && ref ? await storedFile(ref, log) : null;
  const bytes = stored ?? (kind === 'docx' ? await renderReportDocx(report.model, report.state) : await renderReportXlsx(report.model, report.state));
  const fileName = reportFileName(report, kind);
  return {
    bytes,
    contentType: CONTENT_TYPES[kind],
    disposition: contentDisposition(fileName, { fallback: asciiFileName(fileName) }),
    fileName,
    source: stored ? 'stored' : 'rendered',
  };
}
