import ExcelJS from 'exceljs';
import { indicatorsFor, sectionsFor, unitOfMeasureOf } from '../../domain/forms/applicability';
import type { FormData } from '../../domain/forms/form-data';
import { TEXT_INDICATOR_MAX_LENGTH, type FormRoundKind, type Indicator, type ReportForm } from '../../domain/program/forms';
import type { LocalizedText } from '../../domain/program/localized-text';
import type { Program, Unit } from '../../domain/program/schema';
import { dateTimeVi } from '../format-vi';
import { figure } from '../cell-values';
import { HEADER_ROW, INDICATOR_COLUMNS as IC, META_KEYS, SECTION_COLUMNS as SC, SHEETS, sectionKey, TEMPLATE_FORMAT, TEMPLATE_VERSION } from './layout';

/**
 * The spreadsheet an agency downloads to fill its report offline: the indicators it is asked for, one
 * row each with its unit of measure, whether it is required and what to type; the text sections, one
 * row per section and per focal task. Only the value cells are unlocked (the sheets are protected
 * without a password, so structure is kept but nothing is secret), and Excel's data validation checks
 * types and ranges as the agency types. The reader (./read-template.ts) turns the file back into the
 * same JSON a web form submits, validated by the same schema.
 */

export interface TemplateRequest {
  program: Pick<Program, 'id' | 'title' | 'tasks' | 'timeZone'>;
  formKind: FormRoundKind;
  form: ReportForm;
  unit: Unit;
  /** The round the report is for, printed on the guide sheet and checked on upload. */
  round?: { roundId: string; title: LocalizedText; deadline: string };
  /** Values to start from: a saved draft or the last submitted version. */
  values?: FormData;
}

const LOCKED_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
const INPUT_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFFFE0' } };
const THIN: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  bottom: { style: 'thin' },
  left: { style: 'thin' },
  right: { style: 'thin' },
};

function howToFill(ind: Indicator): string {
  switch (ind.type) {
    case 'count':
      return `Số nguyên từ 0${ind.max ? ` đến ${ind.max}` : ''}; ghi 0 nếu không có.`;
    case 'amount-vnd':
      return 'Số tiền bằng đồng, số nguyên, không ghi dấu phân cách (ví dụ 15000000).';
    case 'percentage':
      return 'Số từ 0 đến 100, tối đa 2 chữ số thập phân (ví dụ 45,5).';
    case 'text':
      return `Văn bản, tối đa ${ind.maxLength ?? TEXT_INDICATOR_MAX_LENGTH} ký tự.`;
  }
}

function validation(ind: Indicator): ExcelJS.DataValidation {
  const common = { allowBlank: true, showErrorMessage: true, errorTitle: 'Giá trị không hợp lệ', error: howToFill(ind) };
  switch (ind.type) {
    case 'count':
      return { ...common, type: 'whole', operator: ind.max ? 'between' : 'greaterThanOrEqual', formulae: ind.max ? [0, ind.max] : [0] };
    case 'amount-vnd':
      return { ...common, type: 'decimal', operator: 'greaterThanOrEqual', formulae: [0] };
    case 'percentage':
      return { ...common, type: 'decimal', operator: 'between', formulae: [0, 100] };
    case 'text':
      return { ...common, type: 'textLength', operator: 'lessThanOrEqual', formulae: [ind.maxLength ?? TEXT_INDICATOR_MAX_LENGTH] };
  }
}

function titleRows(ws: ExcelJS.Worksheet, req: TemplateRequest, heading: string, lastColumn: number): void {
  ws.mergeCells(1, 2, 1, lastColumn);
  ws.getCell(1, 2).value = `${heading}: ${req.form.title.vi}`;
  ws.getCell(1, 2).font = { bold: true, size: 13 };
  ws.mergeCells(2, 2, 2, lastColumn);
  ws.getCell(2, 2).value = `Đơn vị: ${req.unit.name.vi}${req.round ? ` — ${req.round.title.vi}` : ''}`;
  ws.getCell(2, 2).font = { italic: true };
}

function protect(ws: ExcelJS.Worksheet): Promise<void> {
  // No password: protection keeps ids and labels in place; it is not a security measure.
  return ws.protect('', { selectLockedCells: true, selectUnlockedCells: true, formatColumns: true, formatRows: true });
}

export async function writeFormTemplate(req: TemplateRequest): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'kybao';

  // --- guide
  const guide = wb.addWorksheet(SHEETS.guide);
  guide.columns = [{ width: 110 }];
  const lines = [
    `${req.form.title.vi}`,
    `Chương trình: ${req.program.title.vi}`,
    `Đơn vị báo cáo: ${req.unit.name.vi} (mã: ${req.unit.id})`,
    ...(req.round
      ? [`Kỳ báo cáo: ${req.round.title.vi}`, `Hạn gửi: trước ${dateTimeVi(req.round.deadline, req.program.timeZone)} (giờ Việt Nam)`]
      : []),
    '',
    'Cách điền:',
    `- Sheet "${SHEETS.indicators}": ghi số liệu vào cột "Giá trị" (ô nền vàng). Chỉ tiêu "Bắt buộc" phải có giá trị; ghi 0 nếu không có.`,
    `- Sheet "${SHEETS.sections}": ghi nội dung vào cột "Nội dung"; mỗi nhiệm vụ trọng tâm một ô, chỉ ghi các nhiệm vụ đơn vị có kết quả.`,
    '- Không thêm, xóa hoặc đổi thứ tự dòng, cột; không đổi tên sheet. Tệp này chỉ dùng cho đơn vị có tên ở trên.',
    '- Gửi tệp đã điền qua trang báo cáo của đơn vị hoặc lệnh kybao submit.',
    ...(req.form.basis ? ['', `Ghi chú: ${req.form.basis.vi}`] : []),
  ];
  lines.forEach((text, i) => {
    const c = guide.getCell(i + 1, 1);
    c.value = text;
    c.alignment = { wrapText: true, vertical: 'top' };
    if (i === 0) c.font = { bold: true, size: 14 };
  });

  // --- indicators
  const ind = wb.addWorksheet(SHEETS.indicators, { views: [{ state: 'frozen', ySplit: HEADER_ROW }] });
  ind.columns = [{ width: 4, hidden: true }, { width: 6 }, { width: 58 }, { width: 14 }, { width: 10 }, { width: 22 }, { width: 58 }];
  titleRows(ind, req, 'Số liệu báo cáo', IC.guidance);
  const ihead = ind.getRow(HEADER_ROW);
  ihead.values = ['Mã', 'STT', 'Chỉ tiêu', 'Đơn vị tính', 'Bắt buộc', 'Giá trị', 'Hướng dẫn'];
  ihead.font = { bold: true };
  ihead.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  ihead.eachCell((c) => ((c.fill = LOCKED_FILL), (c.border = THIN)));
  const asked = new Set(indicatorsFor(req.form, req.unit).map((i) => i.id));
  let rowNo = HEADER_ROW;
  let n = 0;
  for (const table of req.form.tables) {
    const mine = table.indicators.filter((i) => asked.has(i.id));
    if (mine.length === 0) continue;
    rowNo += 1;
    ind.mergeCells(rowNo, IC.number, rowNo, IC.guidance);
    ind.getCell(rowNo, IC.number).value = table.title.vi;
    ind.getCell(rowNo, IC.number).font = { bold: true };
    for (const indicator of mine) {
      rowNo += 1;
      n += 1;
      const row = ind.getRow(rowNo);
      const prefilled = req.values?.indicators[indicator.id];
      row.getCell(IC.id).value = indicator.id;
      row.getCell(IC.number).value = n;
      row.getCell(IC.name).value = indicator.name.vi;
      row.getCell(IC.measure).value = unitOfMeasureOf(indicator)?.vi ?? '';
      row.getCell(IC.required).value = indicator.required ? 'Có' : '';
      row.getCell(IC.guidance).value = [howToFill(indicator), indicator.guidance?.vi].filter(Boolean).join(' ');
      const value = row.getCell(IC.value);
      value.value = prefilled === undefined ? null : indicator.type === 'amount-vnd' ? figure(String(prefilled)) : prefilled;
      value.protection = { locked: false };
      value.fill = INPUT_FILL;
      value.dataValidation = validation(indicator);
      if (indicator.type === 'amount-vnd' || indicator.type === 'count') value.numFmt = '#,##0';
      if (indicator.type === 'percentage') value.numFmt = '0.##';
      if (indicator.type === 'text') value.alignment = { wrapText: true, vertical: 'top' };
      row.alignment = { vertical: 'top', wrapText: true };
      row.eachCell({ includeEmpty: true }, (c, col) => {
        if (col > 1) c.border = THIN;
      });
    }
  }

  // --- sections
  const sec = wb.addWorksheet(SHEETS.sections, { views: [{ state: 'frozen', ySplit: HEADER_ROW }] });
  sec.columns = [{ width: 4, hidden: true }, { width: 34 }, { width: 46 }, { width: 90 }, { width: 10 }];
  titleRows(sec, req, 'Nội dung báo cáo', SC.required);
  const shead = sec.getRow(HEADER_ROW);
  shead.values = ['Mã', 'Mục', 'Nhiệm vụ trọng tâm', 'Nội dung', 'Bắt buộc'];
  shead.font = { bold: true };
  shead.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  shead.eachCell((c) => ((c.fill = LOCKED_FILL), (c.border = THIN)));
  rowNo = HEADER_ROW;
  for (const section of sectionsFor(req.form, req.unit)) {
    const answer = req.values?.sections[section.id];
    const entries: Array<{ key: string; task: string; text: string | undefined }> = [
      { key: sectionKey(section.id), task: section.tasks.length ? 'Nội dung chung' : '', text: answer?.text },
      ...section.tasks.map((t) => ({
        key: sectionKey(section.id, t),
        task: `${t}. ${req.program.tasks.find((x) => x.number === t)?.title.vi ?? ''}`,
        text: answer?.tasks[String(t)],
      })),
    ];
    for (const e of entries) {
      rowNo += 1;
      const row = sec.getRow(rowNo);
      row.getCell(SC.key).value = e.key;
      row.getCell(SC.section).value = section.title.vi;
      row.getCell(SC.task).value = e.task;
      row.getCell(SC.required).value = section.required ? 'Có (ít nhất một ô)' : '';
      const text = row.getCell(SC.text);
      text.value = e.text ?? null;
      text.protection = { locked: false };
      text.fill = INPUT_FILL;
      text.dataValidation = {
        type: 'textLength',
        operator: 'lessThanOrEqual',
        formulae: [section.maxLength],
        allowBlank: true,
        showErrorMessage: true,
        errorTitle: 'Nội dung quá dài',
        error: `Tối đa ${section.maxLength} ký tự.`,
      };
      row.alignment = { vertical: 'top', wrapText: true };
      row.eachCell({ includeEmpty: true }, (c, col) => {
        if (col > 1) c.border = THIN;
      });
    }
  }

  // --- whose template this is
  const meta = wb.addWorksheet(SHEETS.meta);
  meta.state = 'veryHidden';
  const values: Record<(typeof META_KEYS)[number], string> = {
    format: TEMPLATE_FORMAT,
    version: String(TEMPLATE_VERSION),
    programId: req.program.id,
    formKind: req.formKind,
    unitId: req.unit.id,
    roundId: req.round?.roundId ?? '',
  };
  META_KEYS.forEach((k, i) => meta.getRow(i + 1).values = [k, values[k]]);

  await protect(ind);
  await protect(sec);
  await protect(guide);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
