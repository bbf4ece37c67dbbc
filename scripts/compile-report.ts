/**
 * Try the pieces of issue #15 before they are wired into the workflows, the CLI and the web page:
 *
 *   tsx scripts/compile-report.ts example [--year 2015] [--quarter 1] [--seed 7] [--out q1.json]
 *       write a compilation input: a quarter of the program with simulated units filling its form
 *   tsx scripts/compile-report.ts compile q1.json [--out DIR] [--pdf]
 *       compile it and write the coordinator's report as .docx and .xlsx (and PDF + PNG pages with --pdf)
 *   tsx scripts/compile-report.ts template --unit so-khdt [--out so-khdt.xlsx]
 *       the .xlsx template a unit downloads to fill its report offline
 *   tsx scripts/compile-report.ts read-form so-khdt.xlsx --unit so-khdt [--draft]
 *       read a filled form (.xlsx or .json) back to JSON, or list every problem by sheet and cell
 *
 * Every command takes --program FILE (default: the Decision 925 program) and --kind (default
 * quarterly-report). Exit 0 on success; otherwise 1 with one line "compile-report: <reason>" per problem.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { simulatedQuarter } from '../client/simulate/quarter-data';
import { readFormFile } from '../documents/form-file';
import { writeFormTemplate } from '../documents/form-template/write-template';
import { renderReportDocx } from '../documents/report-docx/render';
import { docxToPdf, pdfToPng } from '../documents/render-pdf';
import { renderReportXlsx } from '../documents/report-xlsx/render';
import { compileReview, compileRound, compileYear } from '../domain/compilation/compile';
import { editDraft, issueDraft, issueRequestSchema, newDraft } from '../domain/compilation/lifecycle';
import { formRoundKindSchema, type FormRoundKind } from '../domain/program/forms';
import { defaultProgramPath, loadProgramFile } from '../domain/program/load-file';
import type { Program } from '../domain/program/schema';
import { compiledReportId } from '../infra/db/compiled-reports/records';

class ScriptError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** The input file of `compile`: which report, from which rounds, and optionally its texts and its issuing. */
const compileInputSchema = z
  .strictObject({
    scope: z.enum(['round', 'year', 'review']).default('round'),
    /** scope year: the year. */
    year: z.int().optional(),
    /** scope review: preliminary (sơ kết) or final (tổng kết), over fromYear..toYear. */
    review: z.enum(['preliminary', 'final']).optional(),
    fromYear: z.int().optional(),
    toYear: z.int().optional(),
    compiledAt: z.iso.datetime({ offset: true, error: 'not an instant; write ISO 8601 with its offset, e.g. 2015-03-30T09:00:00+07:00' }),
    /** Rounds as domain/compilation RoundDataInput (checked when compiled). */
    rounds: z.array(z.any()).min(1, { error: 'give at least one round' }),
    introduction: z.string().optional(),
    conclusions: z.string().optional(),
    /** Present: the report is issued with this number, date and signer. */
    issue: issueRequestSchema.optional(),
  })
  .superRefine((input, ctx) => {
    if (input.scope === 'round' && input.rounds.length !== 1) ctx.addIssue({ code: 'custom', path: ['rounds'], message: 'a round report compiles exactly one round' });
    if (input.scope === 'year' && input.year === undefined) ctx.addIssue({ code: 'custom', path: ['year'], message: 'a year report needs "year"' });
    if (input.scope === 'review' && (input.review === undefined || input.fromYear === undefined || input.toYear === undefined))
      ctx.addIssue({ code: 'custom', path: ['review'], message: 'a review needs "review" (preliminary | final), "fromYear" and "toYear"' });
  });

function readProgram(file: string | undefined): Program {
  return loadProgramFile(file ?? defaultProgramPath);
}

function int(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number, got "${value}"`);
    return Number(value);
  };
}

function kindOption(value: string): FormRoundKind {
  const parsed = formRoundKindSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`"${value}" is not a round kind with a form; use one of: ${formRoundKindSchema.options.join(', ')}`);
  return parsed.data;
}

function formOf(program: Program, kind: FormRoundKind) {
  const form = program.forms?.[kind];
  if (!form) throw new ScriptError([`program ${program.id} has no form for ${kind} rounds; add one under "forms" in the program file`]);
  return form;
}

function unitOf(program: Program, id: string) {
  const unit = program.units.find((u) => u.id === id);
  if (!unit) throw new ScriptError([`unknown unit "${id}"; the program's units are: ${program.units.map((u) => u.id).join(', ')}`]);
  if (!unit.reports) throw new ScriptError([`unit "${id}" owes no reports (reports: false), so it has no form to fill`]);
  return unit;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScriptError([`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)}); check the path`]);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ScriptError([`${file}: not valid JSON (${(err as Error).message}); fix the syntax`]);
  }
}

async function compileCommand(file: string, opts: { program?: string; out?: string; pdf?: boolean }): Promise<void> {
  const program = readProgram(opts.program);
  const parsed = compileInputSchema.safeParse(readJson(file));
  if (!parsed.success) throw new ScriptError(parsed.error.issues.map((i) => `${file}: ${i.path.join('.') || '(top level)'}: ${i.message}`));
  const input = parsed.data;
  const options = { compiledAt: input.compiledAt };
  const model =
    input.scope === 'round'
      ? compileRound(program, input.rounds[0], options)
      : input.scope === 'year'
        ? compileYear(program, input.year!, input.rounds, options)
        : compileReview(program, input.review!, input.fromYear!, input.toYear!, input.rounds, options);
  let state = newDraft(model);
  if (input.introduction !== undefined || input.conclusions !== undefined) state = editDraft(state, { introduction: input.introduction, conclusions: input.conclusions });
  if (input.issue) state = issueDraft(state, input.issue);

  const dir = path.resolve(opts.out ?? path.join('.data', 'reports', program.id, 'compiled'));
  mkdirSync(dir, { recursive: true });
  const key = compiledReportId(program.id, model.scope).slice(program.id.length + 1);
  const base = path.join(dir, state.status === 'issued' ? `${key}.so-${String(state.number).padStart(2, '0')}` : key);
  writeFileSync(`${base}.docx`, await renderReportDocx(model, state));
  writeFileSync(`${base}.xlsx`, await renderReportXlsx(model, state));
  writeFileSync(`${base}.json`, JSON.stringify({ state, model }, null, 2));
  const show = (p: string) => path.relative(process.cwd(), p);
  process.stdout.write(`docx: ${show(`${base}.docx`)}\nxlsx: ${show(`${base}.xlsx`)}\nmodel: ${show(`${base}.json`)}\n`);
  const t = model.compliance.totals;
  process.stderr.write(`${model.title.vi}: ${t.asked} asked, ${t.onTime} on time, ${t.late} late, ${t.missing} missing${model.warnings.length ? `; ${model.warnings.length} warning(s) in the model file` : ''}\n`);
  if (opts.pdf) {
    const pdf = await docxToPdf(`${base}.docx`, dir);
    const pages = await pdfToPng(pdf, base, { dpi: 60 });
    process.stdout.write(`pdf: ${show(pdf)}\n${pages.map((p) => `png: ${show(p)}`).join('\n')}\n`);
  }
}

function exampleCommand(opts: { program?: string; year?: number; quarter?: number; seed?: number; out?: string }): void {
  const program = readProgram(opts.program);
  const year = opts.year ?? program.period.firstYear + 1;
  const quarter = opts.quarter ?? 1;
  if (quarter < 1 || quarter > 4) throw new ScriptError([`--quarter must be 1–4, got ${quarter}`]);
  const round = simulatedQuarter(program, year, quarter, opts.seed ?? 7);
  // Compiled the Monday-ish after the deadline: five days later, 09:00 in the program's zone.
  const compiledAt = new Date(Date.parse(round.deadline) + 5 * 86_400_000 + 9 * 3_600_000).toISOString();
  const input = { scope: 'round', compiledAt, rounds: [round] };
  const text = JSON.stringify(input, null, 2);
  if (opts.out) {
    writeFileSync(opts.out, text);
    process.stdout.write(`${opts.out}\n`);
  } else process.stdout.write(`${text}\n`);
}

async function templateCommand(opts: { program?: string; unit: string; kind: FormRoundKind; out?: string }): Promise<void> {
  const program = readProgram(opts.program);
  const bytes = await writeFormTemplate({ program, formKind: opts.kind, form: formOf(program, opts.kind), unit: unitOf(program, opts.unit) });
  const out = opts.out ?? `${opts.unit}-${opts.kind}.xlsx`;
  writeFileSync(out, bytes);
  process.stdout.write(`${out}\n`);
}

async function readFormCommand(file: string, opts: { program?: string; unit: string; kind: FormRoundKind; draft?: boolean }): Promise<void> {
  const program = readProgram(opts.program);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ScriptError([`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)}); check the path`]);
  }
  const result = await readFormFile(file, bytes, { form: formOf(program, opts.kind), unit: unitOf(program, opts.unit), draft: opts.draft });
  if (!result.ok) throw new ScriptError(result.problems);
  process.stdout.write(`${JSON.stringify(result.data, null, 2)}\n`);
}

function buildCommand(): Command {
  const cmd = new Command('compile-report').description('compile reports, render official documents, and try report forms (issue #15, phase 1)');
  cmd.showHelpAfterError().configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'compile-report: ')) });
  const programOption = ['--program <file>', 'program file (.yaml or .json); default: the Decision 925 program'] as const;
  const kindOption_ = ['--kind <kind>', `round kind whose form to use: ${formRoundKindSchema.options.join(' | ')}`, kindOption, 'quarterly-report' as FormRoundKind] as const;
  cmd
    .command('compile')
    .description('compile an input file (see "example") into the report as .docx, .xlsx and the model as .json')
    .argument('<input>', 'compilation input (.json): scope, compiledAt, rounds[, year | review, fromYear, toYear][, introduction, conclusions][, issue]')
    .option(...programOption)
    .option('--out <dir>', 'where to write (default .data/reports/<program>/compiled)')
    .option('--pdf', 'also render the .docx to PDF (LibreOffice) and PNG pages at 60 dpi (pdftoppm)')
    .action(compileCommand);
  cmd
    .command('example')
    .description('write a compilation input: a quarter with simulated units filling the form (some late, some missing)')
    .option(...programOption)
    .option('--year <year>', 'year (default: the program’s second year)', int('--year'))
    .option('--quarter <n>', 'quarter 1–4 (default 1)', int('--quarter'))
    .option('--seed <n>', 'seed of the simulated units (default 7)', int('--seed'))
    .option('--out <file>', 'write to this file instead of stdout')
    .action(exampleCommand);
  cmd
    .command('template')
    .description('write the .xlsx template a unit fills offline')
    .requiredOption('--unit <id>', 'the unit the template is for')
    .option(...kindOption_)
    .option(...programOption)
    .option('--out <file>', 'output file (default <unit>-<kind>.xlsx)')
    .action(templateCommand);
  cmd
    .command('read-form')
    .description('read a filled form (.xlsx template or .json) and print it as JSON, or every problem by sheet and cell')
    .argument('<file>', 'the filled form')
    .requiredOption('--unit <id>', 'the unit that filled it')
    .option(...kindOption_)
    .option(...programOption)
    .option('--draft', 'read as a draft: nothing is required')
    .action(readFormCommand);
  return cmd;
}

if (require.main === module) {
  buildCommand()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      const problems = err instanceof ScriptError ? err.problems : [err instanceof Error ? err.message : String(err)];
      for (const p of problems) process.stderr.write(`compile-report: ${p}\n`);
      process.exit(1);
    });
}
