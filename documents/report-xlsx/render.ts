import ExcelJS from 'exceljs';
import { CATEGORY_LABELS, STATUS_LABELS } from '../../domain/compilation/labels';
import { documentNumber, type ReportState } from '../../domain/compilation/lifecycle';
import type { Aggregate, CompiledIndicator, CompiledReportModel, ComplianceCounts } from '../../domain/compilation/model';
import { dateTimeVi, roundShortLabel } from '../format-vi';
import { figure } from '../cell-values';
import { sheetName } from '../sheet-names';

/**
 * The compiled report's figures as a workbook (.xlsx) the coordinator can sort, filter and reuse:
 *
 * - "Tổng hợp": what the report is, its state, and compliance by category;
 * - "Tuân thủ": the compliance matrix, units × rounds (status, date sent, days late), with counts;
 * - one sheet per indicator table: each indicator for the province and by category (the figure, how it
 *   was aggregated, how many units reported, the exact fraction of an average);
 * - "Số liệu đơn vị": every value each unit gave, by round;
 * - "Chưa báo cáo": the units that did not report; "Cảnh báo": values left out, if any.
 *
 * Figures are written as numbers when a number holds them exactly (below 2^53), else as text, so a
 * province-wide VND total is never rounded by the spreadsheet.
 */

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDE5F0' } };
const STATUS_FILL: Record<string, ExcelJS.Fill> = {
  'on-time': { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE2EFDA' } },
  late: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } },
  missing: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF8CBAD' } },
};

function headerRow(ws: ExcelJS.Worksheet, values: string[]): void {
  const row = ws.addRow(values);
  row.font = { bold: true };
  row.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  row.eachCell((c) => (c.fill = HEADER_FILL));
  ws.views = [{ state: 'frozen', ySplit: row.number }];
}

function countsValues(c: ComplianceCounts): Array<number | null> {
  return [c.asked, c.onTime, c.late, c.missing, c.completionPercent === null ? null : Number(c.completionPercent), c.timelinessPercent === null ? null : Number(c.timelinessPercent)];
}

function numberFormatOf(ind: CompiledIndicator, a: Aggregate): string | undefined {
  if (a.value === null) return undefined;
  if (ind.aggregation === 'average' && ind.type !== 'amount-vnd') return '#,##0.00';
  return '#,##0';
}

export async function renderReportXlsx(model: CompiledReportModel, state: ReportState): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'kybao';
  wb.created = new Date(model.compiledAt);
  const used = new Set<string>();
  const zone = model.timeZone;
  const names = new Map(model.compliance.units.map((u) => [u.unitId, u]));
  const roundKeys = new Map(model.compliance.rounds.map((r) => [r.roundId, r.key]));

  // --- summary
  const summary = wb.addWorksheet(sheetName('Tổng hợp', used));
  summary.columns = [{ width: 34 }, { width: 14 }, { width: 14 }, { width: 14 }, { width: 14 }, { width: 16 }, { width: 16 }];
  const info: Array<[string, string]> = [
    ['Báo cáo', model.title.vi],
    ['Kỳ', model.period.vi],
    ['Chương trình', model.program.title.vi],
    ['Cơ quan ban hành', model.issuing.name],
    ['Tình trạng', state.status === 'issued' ? `Đã ban hành: số ${documentNumber(state.number, model.issuing.symbol)}, ${dateTimeVi(state.issuedAt, zone)}` : 'Dự thảo'],
    ['Tổng hợp lúc', dateTimeVi(model.compiledAt, zone)],
  ];
  for (const [k, v] of info) {
    const row = summary.addRow([k, v]);
    row.getCell(1).font = { bold: true };
  }
  summary.addRow([]);
  const head = summary.addRow(['Nhóm cơ quan, đơn vị', 'Phải gửi', 'Đúng hạn', 'Quá hạn', 'Chưa gửi', 'Tỷ lệ đã gửi (%)', 'Tỷ lệ đúng hạn (%)']);
  head.font = { bold: true };
  head.eachCell((c) => (c.fill = HEADER_FILL));
  for (const c of model.compliance.byCategory) summary.addRow([CATEGORY_LABELS[c.category].vi, ...countsValues(c.counts)]);
  const total = summary.addRow(['Toàn tỉnh', ...countsValues(model.compliance.totals)]);
  total.font = { bold: true };

  // --- compliance matrix
  const matrix = wb.addWorksheet(sheetName('Tuân thủ', used));
  const rounds = model.compliance.rounds;
  matrix.columns = [{ width: 6 }, { width: 16 }, { width: 42 }, { width: 24 }, ...rounds.flatMap(() => [{ width: 14 }, { width: 17 }, { width: 9 }]), ...Array.from({ length: 6 }, () => ({ width: 11 }))];
  const roundHeads = rounds.flatMap((r) => [`${roundShortLabel(r.key)}: tình trạng`, `${roundShortLabel(r.key)}: ngày gửi`, `${roundShortLabel(r.key)}: số ngày trễ`]);
  headerRow(matrix, ['STT', 'Mã đơn vị', 'Cơ quan, đơn vị', 'Nhóm', ...roundHeads, 'Phải gửi', 'Đúng hạn', 'Quá hạn', 'Chưa gửi', 'Đã gửi (%)', 'Đúng hạn (%)']);
  model.compliance.units.forEach((u, i) => {
    const cells = u.cells.flatMap((c) =>
      c ? [STATUS_LABELS[c.status].vi, c.submittedAt ? dateTimeVi(c.submittedAt, zone) : null, c.status === 'missing' ? null : c.lateDays] : [null, null, null],
    );
    const row = matrix.addRow([i + 1, u.unitId, u.name.vi, CATEGORY_LABELS[u.category].vi, ...cells, ...countsValues(u.counts)]);
    u.cells.forEach((c, j) => {
      if (c) row.getCell(5 + j * 3).fill = STATUS_FILL[c.status]!;
    });
  });
  matrix.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: 4 + roundHeads.length + 6 } };

  // --- one sheet per indicator table
  for (const table of model.tables) {
    const ws = wb.addWorksheet(sheetName(table.title.vi, used));
    ws.columns = [{ width: 6 }, { width: 22 }, { width: 48 }, { width: 14 }, { width: 14 }, { width: 28 }, { width: 20 }, { width: 12 }, { width: 12 }, { width: 24 }];
    headerRow(ws, ['STT', 'Mã chỉ tiêu', 'Chỉ tiêu', 'Đơn vị tính', 'Cách tổng hợp', 'Phạm vi', 'Kết quả', 'Số ĐV báo cáo', 'Số ĐV phải báo cáo', 'Giá trị chính xác (phân số)']);
    table.indicators.forEach((ind, i) => {
      const lines: Array<[string, Aggregate]> = [['Toàn tỉnh', ind.province], ...ind.byCategory.map((c) => [CATEGORY_LABELS[c.category].vi, c.aggregate] as [string, Aggregate])];
      for (const [j, [scope, a]] of lines.entries()) {
        const exact = a.exact ? `${a.exact.numerator}/${a.exact.denominator}` : null;
        const row = ws.addRow([
          j === 0 ? i + 1 : null,
          ind.id,
          ind.name.vi,
          ind.aggregation === 'count' ? 'đơn vị' : (ind.unitOfMeasure?.vi ?? null),
          { sum: 'tổng', average: 'trung bình', count: 'đếm đơn vị', list: 'liệt kê' }[ind.aggregation],
          scope,
          ind.aggregation === 'list' ? `${a.reported} giá trị (xem "Số liệu đơn vị")` : figure(a.value),
          a.reported,
          a.asked,
          exact,
        ]);
        if (j === 0) row.font = { bold: true };
        const fmt = numberFormatOf(ind, a);
        if (fmt) row.getCell(7).numFmt = fmt;
      }
    });
  }

  // --- every value by unit and round
  const values = wb.addWorksheet(sheetName('Số liệu đơn vị', used));
  const indicators = model.tables.flatMap((t) => t.indicators);
  values.columns = [{ width: 16 }, { width: 42 }, { width: 12 }, ...indicators.map((i) => ({ width: i.type === 'text' ? 40 : 16 }))];
  headerRow(values, ['Mã đơn vị', 'Cơ quan, đơn vị', 'Kỳ', ...indicators.map((i) => `${i.name.vi}${i.unitOfMeasure ? ` (${i.unitOfMeasure.vi})` : ''}`)]);
  const byUnitRound = new Map<string, Map<string, CompiledIndicator['observations'][number]['value']>>();
  for (const ind of indicators)
    for (const o of ind.observations) {
      const key = `${o.unitId}|${o.roundId}`;
      if (!byUnitRound.has(key)) byUnitRound.set(key, new Map());
      byUnitRound.get(key)!.set(ind.id, o.value);
    }
  for (const u of model.compliance.units)
    for (const r of rounds) {
      const got = byUnitRound.get(`${u.unitId}|${r.roundId}`);
      if (!got) continue;
      const row = values.addRow([
        u.unitId,
        u.name.vi,
        roundShortLabel(r.key),
        ...indicators.map((i) => {
          const v = got.get(i.id);
          return v === undefined ? null : typeof v === 'string' && i.type === 'amount-vnd' ? figure(v) : v;
        }),
      ]);
      indicators.forEach((i, k) => {
        if (i.type === 'amount-vnd' || i.type === 'count') row.getCell(4 + k).numFmt = '#,##0';
        if (i.type === 'text') row.getCell(4 + k).alignment = { wrapText: true, vertical: 'top' };
      });
    }

  // --- missing units
  const missing = wb.addWorksheet(sheetName('Chưa báo cáo', used));
  missing.columns = [{ width: 6 }, { width: 16 }, { width: 42 }, { width: 26 }, { width: 30 }];
  headerRow(missing, ['STT', 'Mã đơn vị', 'Cơ quan, đơn vị', 'Nhóm', 'Kỳ chưa gửi']);
  model.missing.forEach((m, i) => missing.addRow([i + 1, m.unitId, m.name.vi, CATEGORY_LABELS[m.category].vi, m.rounds.map(roundShortLabel).join(', ')]));

  if (model.warnings.length || model.withoutFormData.length) {
    const warn = wb.addWorksheet(sheetName('Cảnh báo', used));
    warn.columns = [{ width: 120 }];
    headerRow(warn, ['Cảnh báo']);
    for (const w of model.withoutFormData)
      warn.addRow([`${names.get(w.unitId)?.name.vi ?? w.unitId} (${roundKeys.get(w.roundId) ?? w.roundId}): gửi tệp, không có số liệu theo mẫu`]);
    for (const w of model.warnings) warn.addRow([w]);
  }

  return Buffer.from(await wb.xlsx.writeBuffer());
}
