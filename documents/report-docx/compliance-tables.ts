import { type Paragraph, Table, TableLayoutType, TableRow, WidthType } from 'docx';
import { CATEGORY_LABELS, STATUS_LABELS } from '../../domain/compilation/labels';
import type { ComplianceCell, ComplianceCounts, CompiledReportModel } from '../../domain/compilation/model';
import { dateVi, numberVi, roundShortLabel } from '../format-vi';
import { bodyParagraph, cell, cellText, mm, run, SIZE_PT, TEXT_WIDTH_MM, THIN_BORDERS } from './layout';

/** Section I of the report: who reported, on time, late, missing. */

type Model = CompiledReportModel;

function table(widthsMm: number[], rows: TableRow[]): Table {
  return new Table({
    layout: TableLayoutType.FIXED,
    width: { size: mm(TEXT_WIDTH_MM), type: WidthType.DXA },
    columnWidths: widthsMm.map(mm),
    borders: THIN_BORDERS,
    rows,
  });
}

function headerRow(labels: string[], widthsMm: number[], sizePt: number): TableRow {
  return new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: labels.map((label, i) => cell([cellText(label, sizePt, { bold: true, align: 'center' })], widthsMm[i]!, { shade: true })),
  });
}

function percentText(p: string | null): string {
  return p === null ? '–' : `${numberVi(p)}%`;
}

/** "Quá hạn 3 ngày". */
export function statusText(c: ComplianceCell, short = false): string {
  if (c.status === 'late') return short ? `Trễ ${c.lateDays} ngày` : `${STATUS_LABELS.late.vi} ${c.lateDays} ngày`;
  return STATUS_LABELS[c.status].vi;
}

/** The opening figures in words. */
export function complianceSummary(model: Model): Paragraph {
  const t = model.compliance.totals;
  const sent = t.onTime + t.late;
  const text =
    model.scope.kind === 'round'
      ? `Tổng số cơ quan, đơn vị phải báo cáo: ${t.asked}; đã gửi báo cáo: ${sent} (${percentText(t.completionPercent)}), ` +
        `trong đó đúng hạn: ${t.onTime} (${percentText(t.timelinessPercent)}), quá hạn: ${t.late}; chưa gửi: ${t.missing}.`
      : `Trong ${model.period.vi} có ${model.compliance.rounds.length} kỳ báo cáo với tổng số ${t.asked} lượt báo cáo phải gửi; ` +
        `đã gửi ${sent} lượt (${percentText(t.completionPercent)}), trong đó đúng hạn ${t.onTime} lượt (${percentText(t.timelinessPercent)}), ` +
        `quá hạn ${t.late} lượt; chưa gửi ${t.missing} lượt.`;
  return bodyParagraph([run(text, SIZE_PT.body)]);
}

/** A round: one row per unit, grouped by category, with the day it reported and how it stands. */
export function roundComplianceTable(model: Model): Table {
  const w = [12, 80, 28, 45];
  const rows = [headerRow(['STT', 'Cơ quan, đơn vị', 'Ngày gửi', 'Tình trạng'], w, SIZE_PT.table)];
  let n = 0;
  for (const { category } of model.compliance.byCategory) {
    rows.push(
      new TableRow({
        cantSplit: true,
        children: [cell([cellText(CATEGORY_LABELS[category].vi, SIZE_PT.table, { bold: true, italics: true })], TEXT_WIDTH_MM, { columnSpan: 4 })],
      }),
    );
    for (const u of model.compliance.units.filter((x) => x.category === category)) {
      const c = u.cells[0];
      if (!c) continue;
      n += 1;
      rows.push(
        new TableRow({
          cantSplit: true,
          children: [
            cell([cellText(String(n), SIZE_PT.table, { align: 'center' })], w[0]!),
            cell([cellText(u.name.vi, SIZE_PT.table)], w[1]!),
            cell([cellText(c.submittedAt ? dateVi(c.submittedAt, model.timeZone) : '–', SIZE_PT.table, { align: 'center' })], w[2]!),
            cell([cellText(statusText(c), SIZE_PT.table, { align: 'center', italics: c.status === 'missing' })], w[3]!),
          ],
        }),
      );
    }
  }
  return table(w, rows);
}

/** A year: units × rounds, each cell how the unit stood, and its on-time count. */
export function yearComplianceMatrix(model: Model): Table {
  const rounds = model.compliance.rounds;
  const fixed = [12, 56, 20];
  const each = (TEXT_WIDTH_MM - fixed[0]! - fixed[1]! - fixed[2]!) / Math.max(1, rounds.length);
  const w = [fixed[0]!, fixed[1]!, ...rounds.map(() => each), fixed[2]!];
  const rows = [headerRow(['STT', 'Cơ quan, đơn vị', ...rounds.map((r) => roundShortLabel(r.key)), 'Đúng hạn / phải gửi'], w, SIZE_PT.matrix)];
  model.compliance.units.forEach((u, i) => {
    rows.push(
      new TableRow({
        cantSplit: true,
        children: [
          cell([cellText(String(i + 1), SIZE_PT.matrix, { align: 'center' })], w[0]!),
          cell([cellText(u.name.vi, SIZE_PT.matrix)], w[1]!),
          ...u.cells.map((c, j) => cell([cellText(c ? statusText(c, true) : '', SIZE_PT.matrix, { align: 'center', italics: c?.status === 'missing' })], w[2 + j]!)),
          cell([cellText(`${u.counts.onTime}/${u.counts.asked}`, SIZE_PT.matrix, { align: 'center' })], w[w.length - 1]!),
        ],
      }),
    );
  });
  return table(w, rows);
}

/** A review: units × years, on time out of asked each year, and over the period. */
export function reviewComplianceMatrix(model: Model): Table {
  const years = [...new Set(model.compliance.rounds.map((r) => r.year))].sort((a, b) => a - b);
  const fixed = [12, 56, 22];
  const each = (TEXT_WIDTH_MM - fixed[0]! - fixed[1]! - fixed[2]!) / Math.max(1, years.length);
  const w = [fixed[0]!, fixed[1]!, ...years.map(() => each), fixed[2]!];
  const rows = [headerRow(['STT', 'Cơ quan, đơn vị', ...years.map(String), 'Cả giai đoạn'], w, SIZE_PT.matrix)];
  model.compliance.units.forEach((u, i) => {
    const byYear = new Map(u.byYear.map((y) => [y.year, y.counts]));
    const fraction = (c: ComplianceCounts | undefined) => (c ? `${c.onTime}/${c.asked}` : '');
    rows.push(
      new TableRow({
        cantSplit: true,
        children: [
          cell([cellText(String(i + 1), SIZE_PT.matrix, { align: 'center' })], w[0]!),
          cell([cellText(u.name.vi, SIZE_PT.matrix)], w[1]!),
          ...years.map((y, j) => cell([cellText(fraction(byYear.get(y)), SIZE_PT.matrix, { align: 'center' })], w[2 + j]!)),
          cell([cellText(`${fraction(u.counts)} (${percentText(u.counts.timelinessPercent)})`, SIZE_PT.matrix, { align: 'center' })], w[w.length - 1]!),
        ],
      }),
    );
  });
  return table(w, rows);
}

/** Totals by category and for the province. */
export function categoryComplianceTable(model: Model): Table {
  const w = [55, 22, 22, 22, 22, 22];
  const rows = [headerRow(['Nhóm cơ quan, đơn vị', 'Phải gửi', 'Đúng hạn', 'Quá hạn', 'Chưa gửi', 'Tỷ lệ đúng hạn'], w, SIZE_PT.table)];
  const line = (label: string, c: ComplianceCounts, bold = false) =>
    new TableRow({
      cantSplit: true,
      children: [
        cell([cellText(label, SIZE_PT.table, { bold })], w[0]!),
        ...[c.asked, c.onTime, c.late, c.missing].map((v, i) => cell([cellText(String(v), SIZE_PT.table, { align: 'center', bold })], w[i + 1]!)),
        cell([cellText(percentText(c.timelinessPercent), SIZE_PT.table, { align: 'center', bold })], w[5]!),
      ],
    });
  for (const c of model.compliance.byCategory) rows.push(line(CATEGORY_LABELS[c.category].vi, c.counts));
  rows.push(line('Toàn tỉnh', model.compliance.totals, true));
  return table(w, rows);
}
