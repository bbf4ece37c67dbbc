import { createHash } from 'node:crypto';
import { signerSchema, type ReportState } from '../../../domain/compilation/lifecycle';
import { compiledReportModelSchema, type CompiledReportModel, type ReportScope } from '../../../domain/compilation/model';
import { iso } from '../shared';

/**
 * A compiled report as the repositories return it: the model (validated on read), its life-cycle state
 * (draft or issued, with the coordinator's texts) and where its documents are. JSON-safe.
 */
export interface CompiledReportRecord {
  id: string;
  programId: string;
  scope: ReportScope['kind'];
  roundId: string | null;
  fromYear: number;
  toYear: number;
  title: string;
  state: ReportState;
  model: CompiledReportModel;
  modelSha256: string;
  /** 1 on the first compilation, +1 each time the figures changed. */
  revision: number;
  compiledAt: string;
  /** When it is to be issued, as its obligation's workflow fixed it (ISO, UTC); null before that, or for a report whose workflow planned before this was stored. */
  dueAt: string | null;
  documents: { docx: { ref: string; sha256: string } | null; xlsx: { ref: string; sha256: string } | null };
  createdAt: string;
  updatedAt: string;
}

export const COMPILED_REPORT_STATUSES = ['draft', 'issued'] as const;

/** "qd-925-thai-binh:2015-Q1", "qd-925-thai-binh:year-2015", "qd-925-thai-binh:preliminary-review-2014-2017". */
export function compiledReportId(programId: string, scope: ReportScope): string {
  switch (scope.kind) {
    case 'round':
      return `${programId}:${scope.roundKey}`;
    case 'year':
      return `${programId}:year-${scope.year}`;
    case 'review':
      return `${programId}:${scope.review}-review-${scope.fromYear}-${scope.toYear}`;
  }
}

/** The years a scope covers. */
export function yearsOf(scope: ReportScope): { fromYear: number; toYear: number } {
  if (scope.kind === 'review') return { fromYear: scope.fromYear, toYear: scope.toYear };
  return { fromYear: scope.year, toYear: scope.year };
}

/**
 * SHA-256 of the figures: the model without the instant it was compiled, so compiling the same
 * submissions again (an activity retried, a recompile with nothing new) is recognised as no change.
 */
export function modelSha256(model: CompiledReportModel): string {
  const { compiledAt: _ignored, ...figures } = model;
  return createHash('sha256').update(JSON.stringify(figures)).digest('hex');
}

export type CompiledReportRow = {
  id: string;
  programId: string;
  scope: string;
  roundId: string | null;
  fromYear: number;
  toYear: number;
  status: string;
  titleVi: string;
  introduction: string;
  conclusions: string;
  model: string;
  modelSha256: string;
  revision: number;
  compiledAt: Date;
  dueAt: Date | null;
  number: number | null;
  issuedAt: Date | null;
  issuedBy: string | null;
  signer: string | null;
  docxRef: string | null;
  docxSha256: string | null;
  xlsxRef: string | null;
  xlsxSha256: string | null;
  createdAt: Date;
  updatedAt: Date;
};

export function stateOf(row: CompiledReportRow): ReportState {
  if (row.status === 'issued' && row.number !== null && row.issuedAt !== null && row.issuedBy !== null && row.signer !== null)
    return {
      status: 'issued',
      introduction: row.introduction,
      conclusions: row.conclusions,
      number: row.number,
      issuedAt: iso(row.issuedAt),
      issuedBy: row.issuedBy,
      signer: signerSchema.parse(JSON.parse(row.signer)),
    };
  return { status: 'draft', introduction: row.introduction, conclusions: row.conclusions };
}

export function toCompiledReport(row: CompiledReportRow): CompiledReportRecord {
  return {
    id: row.id,
    programId: row.programId,
    scope: row.scope as ReportScope['kind'],
    roundId: row.roundId,
    fromYear: row.fromYear,
    toYear: row.toYear,
    title: row.titleVi,
    state: stateOf(row),
    model: compiledReportModelSchema.parse(JSON.parse(row.model)),
    modelSha256: row.modelSha256,
    revision: row.revision,
    compiledAt: iso(row.compiledAt),
    dueAt: row.dueAt ? iso(row.dueAt) : null,
    documents: {
      docx: row.docxRef && row.docxSha256 ? { ref: row.docxRef, sha256: row.docxSha256 } : null,
      xlsx: row.xlsxRef && row.xlsxSha256 ? { ref: row.xlsxRef, sha256: row.xlsxSha256 } : null,
    },
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}
