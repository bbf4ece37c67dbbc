import ExcelJS from 'exceljs';
import type { FormUnit } from '../../domain/forms/applicability';
import { validateFormData, type FormValidation } from '../../domain/forms/submission';
import type { ReportForm } from '../../domain/program/forms';
import { INDICATOR_COLUMNS as IC, HEADER_ROW, META_KEYS, parseSectionKey, SECTION_COLUMNS as SC, SHEETS, TEMPLATE_FORMAT, type TemplateMeta } from './layout';

/**
 * Reads a filled template (./write-template.ts) back to the JSON a web form submits, and validates it
 * with the same schema (`validateFormData`). Every problem names the sheet and cell, e.g.
 * `Chỉ tiêu!F7 (su-kien): -2 is negative; a count is 0 or more`. Cells are read as the agency sees them:
 * a formula by its computed result, rich text as its text, a cell formatted as a percentage (0.455
 * shown as 45.5%) as 45.5; a date, a TRUE/FALSE or an error value is refused by name.
 */

export interface ReadTemplateOptions {
  form: ReportForm;
  unit: FormUnit;
  /** When given, a template made for another round is refused. */
  roundId?: string;
  /** Parse as a draft: nothing required. */
  draft?: boolean;
}

export type TemplateReadResult = FormValidation & { meta?: TemplateMeta };

type CellRead = { ok: true; value: unknown } | { ok: false; message: string };

function textOf(value: ExcelJS.CellValue): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'richText' in value) return value.richText.map((r) => r.text).join('');
  if (value && typeof value === 'object' && 'text' in value && typeof value.text === 'string') return value.text;
  return undefined;
}

/** What a value cell holds, as the form schema reads it. */
export function readCell(cell: ExcelJS.Cell): CellRead {
  let value: ExcelJS.CellValue = cell.value;
  if (value && typeof value === 'object' && ('formula' in value || 'sharedFormula' in value)) {
    const result = (value as ExcelJS.CellFormulaValue).result;
    if (result === undefined) return { ok: false, message: 'a formula without a computed value; open the file in Excel, save it, and send it again (or type the value)' };
    value = result as ExcelJS.CellValue;
  }
  if (value === null || value === undefined) return { ok: true, value: undefined };
  if (typeof value === 'number') {
    // Shown as 45.5% the cell holds 0.455; the form means 45.5.
    return { ok: true, value: /%/.test(cell.numFmt ?? '') ? Math.round(value * 1e8) / 1e6 : value };
  }
  if (typeof value === 'boolean') return { ok: false, message: `${value ? 'TRUE' : 'FALSE'} is not a value here; type a number or text` };
  if (value instanceof Date) return { ok: false, message: 'Excel read this as a date; format the cell as Number or Text and type the value again' };
  if (typeof value === 'object' && 'error' in value) return { ok: false, message: `the cell shows the error ${String(value.error)}; type the value instead` };
  const text = textOf(value);
  if (text !== undefined) return { ok: true, value: text };
  return { ok: false, message: 'this cell holds something that is not a number or text; type the value again' };
}

function metaOf(wb: ExcelJS.Workbook): Partial<TemplateMeta> {
  const ws = wb.getWorksheet(SHEETS.meta);
  const meta: Partial<TemplateMeta> = {};
  ws?.eachRow((row) => {
    const key = textOf(row.getCell(1).value);
    const value = row.getCell(2).value;
    if (key && (META_KEYS as readonly string[]).includes(key)) meta[key as keyof TemplateMeta] = value === null || value === undefined ? '' : String(textOf(value) ?? value);
  });
  return meta;
}

export async function readFormTemplate(bytes: Buffer | Uint8Array, options: ReadTemplateOptions): Promise<TemplateReadResult> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
  } catch (err) {
    return { ok: false, problems: [`not a readable .xlsx file (${(err as Error).message.split('\n')[0]}); send the template downloaded from kybao, filled in`] };
  }
  const meta = metaOf(wb);
  if (meta.format !== TEMPLATE_FORMAT)
    return { ok: false, problems: ['this workbook is not a kybao form template (its hidden "kybao" sheet is missing); download the template for your unit and fill that in'] };
  const who: string[] = [];
  if (meta.unitId !== options.unit.id) who.push(`this template was made for unit "${meta.unitId}", not "${options.unit.id}"; download the template of your own unit`);
  if (options.roundId !== undefined && meta.roundId && meta.roundId !== options.roundId)
    who.push(`this template was made for round "${meta.roundId}", not "${options.roundId}"; download the template of this round`);
  if (who.length) return { ok: false, problems: who, meta: meta as TemplateMeta };

  const problems: string[] = [];
  const where = new Map<string, string>(); // path in the form JSON → "Sheet!A1 (id)"
  const indicators: Record<string, unknown> = {};
  const sections: Record<string, { text?: unknown; tasks: Record<string, unknown> }> = {};

  const indSheet = wb.getWorksheet(SHEETS.indicators);
  const secSheet = wb.getWorksheet(SHEETS.sections);
  if (!indSheet) problems.push(`sheet "${SHEETS.indicators}" is missing; do not rename or delete sheets, download a fresh template`);
  if (!secSheet) problems.push(`sheet "${SHEETS.sections}" is missing; do not rename or delete sheets, download a fresh template`);
  if (problems.length) return { ok: false, problems, meta: meta as TemplateMeta };

  indSheet!.eachRow((row, rowNumber) => {
    if (rowNumber <= HEADER_ROW) return;
    const id = textOf(row.getCell(IC.id).value);
    if (!id) return;
    const cell = row.getCell(IC.value);
    const at = `${SHEETS.indicators}!${cell.address} (${id})`;
    where.set(`indicators.${id}`, at);
    const read = readCell(cell);
    if (!read.ok) problems.push(`${at}: ${read.message}`);
    else if (read.value !== undefined) indicators[id] = read.value;
  });
  secSheet!.eachRow((row, rowNumber) => {
    if (rowNumber <= HEADER_ROW) return;
    const key = textOf(row.getCell(SC.key).value);
    if (!key) return;
    const { sectionId, task } = parseSectionKey(key);
    const cell = row.getCell(SC.text);
    const at = `${SHEETS.sections}!${cell.address} (${key})`;
    const answer = (sections[sectionId] ??= { tasks: {} });
    if (task === undefined) {
      where.set(`sections.${sectionId}`, at);
      where.set(`sections.${sectionId}.text`, at);
    } else where.set(`sections.${sectionId}.tasks.${task}`, at);
    const read = readCell(cell);
    if (!read.ok) problems.push(`${at}: ${read.message}`);
    else if (read.value !== undefined) {
      if (task === undefined) answer.text = typeof read.value === 'number' ? String(read.value) : read.value;
      else answer.tasks[String(task)] = typeof read.value === 'number' ? String(read.value) : read.value;
    }
  });
  if (problems.length) return { ok: false, problems, meta: meta as TemplateMeta };

  const result = validateFormData(options.form, options.unit, { indicators, sections }, { draft: options.draft });
  if (result.ok) return { ...result, meta: meta as TemplateMeta };
  // Point each problem at its cell instead of its JSON path.
  const located = result.problems.map((p) => {
    const colon = p.indexOf(': ');
    const path = p.slice(0, colon);
    const cell = where.get(path) ?? where.get(path.split('.').slice(0, 2).join('.'));
    return cell ? `${cell}: ${p.slice(colon + 2)}` : p;
  });
  return { ok: false, problems: located, meta: meta as TemplateMeta };
}
