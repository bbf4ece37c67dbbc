import { Paragraph, Table, TableLayoutType, TableRow, WidthType } from 'docx';
import { CATEGORY_LABELS } from '../../domain/compilation/labels';
import type { CompiledIndicator, CompiledReportModel } from '../../domain/compilation/model';
import { aggregateVi, AGGREGATION_WORDS } from '../format-vi';
import { roundMention } from '../format-vi';
import { bodyParagraph, cell, cellText, mm, run, SIZE_PT, TEXT_WIDTH_MM, THIN_BORDERS } from './layout';

/**
 * Section II of the report: each indicator table of the form, one row per indicator for the province and
 * one per category under it (the figure, and how many units reported out of those asked).
 */

const W = [12, 79, 22, 32, 20];

function header(): TableRow {
  return new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: ['STT', 'Chỉ tiêu', 'Đơn vị tính', 'Kết quả', 'Số đơn vị báo cáo'].map((label, i) =>
      cell([cellText(label, SIZE_PT.table, { bold: true, align: 'center' })], W[i]!, { shade: true }),
    ),
  });
}

function row(values: [string, string, string, string, string], style: { bold?: boolean; italics?: boolean } = {}): TableRow {
  return new TableRow({
    cantSplit: true,
    children: [
      cell([cellText(values[0], SIZE_PT.table, { align: 'center', ...style })], W[0]!),
      cell([cellText(values[1], SIZE_PT.table, style)], W[1]!),
      cell([cellText(values[2], SIZE_PT.table, { align: 'center', ...style })], W[2]!),
      cell([cellText(values[3], SIZE_PT.table, { align: 'right', ...style })], W[3]!),
      cell([cellText(values[4], SIZE_PT.table, { align: 'center', ...style })], W[4]!),
    ],
  });
}

function indicatorRows(ind: CompiledIndicator, n: number): TableRow[] {
  const measure = ind.aggregation === 'count' ? 'đơn vị' : (ind.unitOfMeasure?.vi ?? '');
  const result = (a: CompiledIndicator['province']) => (ind.aggregation === 'list' ? (a.reported ? 'liệt kê dưới bảng' : '–') : aggregateVi(ind, a));
  const how = ind.aggregation === 'sum' ? '' : ` (${AGGREGATION_WORDS[ind.aggregation]})`;
  return [
    row([String(n), `${ind.name.vi}${how}`, measure, result(ind.province), `${ind.province.reported}/${ind.province.asked}`], { bold: true }),
    ...ind.byCategory.map((c) =>
      row(['', `- ${CATEGORY_LABELS[c.category].vi}`, '', result(c.aggregate), `${c.aggregate.reported}/${c.aggregate.asked}`], { italics: true }),
    ),
  ];
}

export function indicatorTable(model: CompiledReportModel, table: CompiledReportModel['tables'][number]): Table {
  return new Table({
    layout: TableLayoutType.FIXED,
    width: { size: mm(TEXT_WIDTH_MM), type: WidthType.DXA },
    columnWidths: W.map(mm),
    borders: THIN_BORDERS,
    rows: [header(), ...table.indicators.flatMap((ind, i) => indicatorRows(ind, i + 1))],
  });
}

/**
 * The values of list indicators, each with its unit (and round, over a period), after their table. A
 * review lists none (several years of them would fill pages): it points to the workbook, which has them all.
 */
export function listedValues(model: CompiledReportModel, table: CompiledReportModel['tables'][number]): Paragraph[] {
  const names = new Map(model.compliance.units.map((u) => [u.unitId, u.name.vi]));
  const keys = new Map(model.compliance.rounds.map((r) => [r.roundId, r.key]));
  const listed = table.indicators.filter((ind) => ind.aggregation === 'list' && ind.observations.length > 0);
  if (model.scope.kind === 'review')
    return listed.map((ind) =>
      bodyParagraph([run(`${ind.name.vi}: ${ind.observations.length} nội dung, xem bảng tính kèm theo (sheet "Số liệu đơn vị").`, SIZE_PT.body, { italics: true })]),
    );
  return listed.flatMap((ind) => [
    new Paragraph({ spacing: { before: 160, after: 0 }, children: [] }),
    bodyParagraph([run(`${ind.name.vi}:`, SIZE_PT.body, { italics: true, bold: true })], { keepNext: true }),
    ...ind.observations.map((o) => {
      const when = roundMention(keys.get(o.roundId) ?? o.roundId, model.scope.kind);
      return bodyParagraph([run(`- ${names.get(o.unitId) ?? o.unitId}${when ? ` (${when})` : ''}: `, SIZE_PT.body, { bold: true }), run(String(o.value), SIZE_PT.body)]);
    }),
  ]);
}

/** How the figures are made, under the tables: exactness and rounding are part of the report. */
export function figuresNote(): Paragraph {
  return bodyParagraph([
    run(
      'Ghi chú: "Số đơn vị báo cáo" là số đơn vị có số liệu trên số đơn vị phải báo cáo chỉ tiêu; số trung bình tính trên các đơn vị có số liệu, ' +
        'làm tròn nửa lên (số tiền đến đồng, các chỉ tiêu khác đến 2 chữ số thập phân); "–" là chưa có số liệu.',
      SIZE_PT.table,
      { italics: true },
    ),
  ]);
}
