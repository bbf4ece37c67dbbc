import { createHash } from 'node:crypto';
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compileReview, compileRound, compileYear, type CompileOptions } from '../domain/compilation/compile';
import type { CompiledReportModel } from '../domain/compilation/model';
import type { Program } from '../domain/program/schema';
import { renderReportDocx } from '../documents/report-docx/render';
import { renderReportXlsx } from '../documents/report-xlsx/render';
import { attachReportDocuments, getCompiledReport, saveCompiledDraft, type CompiledReportRecord } from '../infra/db/compiled-reports';
import { REPO_ROOT } from '../infra/db/database-url';
import { getProgramDefinition } from '../infra/db/program-repository';
import type { ActivityDeps } from './deps';
import { roundDataFromDatabase, roundsOfYears } from './compilation-input';

/**
 * The coordinator's compiled reports, end to end: read the rounds from the database, compile (pure,
 * domain/compilation), store the draft (infra/db/compiled-reports: recompiling keeps the coordinator's
 * texts; an issued report is never recompiled), render the .docx and .xlsx into
 * `$KYBAO_REPORTS_DIR/<program>/compiled/` and record where they are with their SHA-256.
 *
 * Phase 2 registers these in activities/index.ts and calls `compileRoundReport` from the round's close
 * (and again when a late report arrives), `compileYearReport` from the cycle's end and
 * `compileReviewReport` in review years; `kybao simulate` prints the `docx`/`xlsx` paths they return.
 * Each call is idempotent: the same submissions compile to the same figures and write nothing new.
 */

export interface CompiledReportFiles {
  id: string;
  revision: number;
  /** See saveCompiledDraft: "issued" means the report was already issued and was left as it was. */
  outcome: 'created' | 'recompiled' | 'unchanged' | 'issued';
  status: 'draft' | 'issued';
  /** Paths relative to the repository root, as the CLI prints them. */
  docx: string;
  xlsx: string;
}

type Deps = Pick<ActivityDeps, 'db' | 'env'>;

async function programOf(deps: Deps, programId: string): Promise<Program> {
  const program = await getProgramDefinition(deps.db, programId);
  if (!program) throw new Error(`program ${programId} is not loaded; run kybao program load first`);
  return program;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Renders the report as it stands (draft or issued) and records the files on its current revision. */
export async function renderStoredReport(deps: Deps, report: CompiledReportRecord): Promise<{ docx: string; xlsx: string }> {
  const dir = path.resolve(REPO_ROOT, deps.env.KYBAO_REPORTS_DIR, report.programId, 'compiled');
  await mkdir(dir, { recursive: true });
  const key = report.id.slice(report.programId.length + 1);
  // An issued report gets files of its own, written once: rendering it again returns them as they are.
  const base = report.state.status === 'issued' ? `${key}.so-${String(report.state.number).padStart(2, '0')}` : key;
  const docxPath = path.join(dir, `${base}.docx`);
  const xlsxPath = path.join(dir, `${base}.xlsx`);
  const rel = (p: string) => path.relative(REPO_ROOT, p);
  if (report.state.status === 'issued' && report.documents.docx?.ref === rel(docxPath) && report.documents.xlsx?.ref === rel(xlsxPath)) {
    if ((await exists(docxPath)) && (await exists(xlsxPath))) return { docx: rel(docxPath), xlsx: rel(xlsxPath) };
  }
  const docx = await renderReportDocx(report.model, report.state);
  const xlsx = await renderReportXlsx(report.model, report.state);
  await writeFile(docxPath, docx);
  await writeFile(xlsxPath, xlsx);
  await attachReportDocuments(deps.db, {
    id: report.id,
    revision: report.revision,
    docx: { ref: rel(docxPath), sha256: sha256(docx) },
    xlsx: { ref: rel(xlsxPath), sha256: sha256(xlsx) },
    actor: 'system:compilation',
  });
  return { docx: rel(docxPath), xlsx: rel(xlsxPath) };
}

async function store(deps: Deps, model: CompiledReportModel): Promise<CompiledReportFiles> {
  const { report, outcome } = await saveCompiledDraft(deps.db, { model, actor: 'system:compilation' });
  const files =
    (outcome === 'unchanged' || outcome === 'issued') && report.documents.docx && report.documents.xlsx
      ? { docx: report.documents.docx.ref, xlsx: report.documents.xlsx.ref }
      : await renderStoredReport(deps, report);
  return { id: report.id, revision: report.revision, outcome, status: report.state.status, ...files };
}

export function createCompilationActivities(deps: Deps) {
  const options = (compiledAt?: string): CompileOptions => ({ compiledAt: compiledAt ?? new Date().toISOString() });
  return {
    /** A round's compiled draft (after it closes, and again when a late report arrives). */
    async compileRoundReport(req: { programId: string; roundId: string; compiledAt?: string }): Promise<CompiledReportFiles> {
      const program = await programOf(deps, req.programId);
      return store(deps, compileRound(program, await roundDataFromDatabase(deps.db, req.roundId), options(req.compiledAt)));
    },

    /** The year's compiled draft, over every compilable round of the year. */
    async compileYearReport(req: { programId: string; year: number; compiledAt?: string }): Promise<CompiledReportFiles> {
      const program = await programOf(deps, req.programId);
      return store(deps, compileYear(program, req.year, await roundsOfYears(deps.db, req.programId, req.year, req.year), options(req.compiledAt)));
    },

    /** A preliminary (sơ kết) or final (tổng kết) review over the program's years fromYear..toYear. */
    async compileReviewReport(req: { programId: string; review: 'preliminary' | 'final'; fromYear: number; toYear: number; compiledAt?: string }): Promise<CompiledReportFiles> {
      const program = await programOf(deps, req.programId);
      const rounds = await roundsOfYears(deps.db, req.programId, req.fromYear, req.toYear);
      return store(deps, compileReview(program, req.review, req.fromYear, req.toYear, rounds, options(req.compiledAt)));
    },

    /** Renders a stored report again (after the coordinator edited or issued it). */
    async renderCompiledReport(req: { id: string }): Promise<{ docx: string; xlsx: string }> {
      const report = await getCompiledReport(deps.db, req.id);
      if (!report) throw new Error(`compiled report ${req.id} does not exist`);
      return renderStoredReport(deps, report);
    },
  };
}

export type CompilationActivities = ReturnType<typeof createCompilationActivities>;
