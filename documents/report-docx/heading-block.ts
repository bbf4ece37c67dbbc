import { Paragraph, Table, TableCell, TableLayoutType, TableRow, UnderlineType, VerticalAlignTable, WidthType } from 'docx';
import { documentNumber, localDate } from '../../domain/compilation/lifecycle';
import type { CompiledReportModel } from '../../domain/compilation/model';
import type { ReportState } from '../../domain/compilation/lifecycle';
import { centred, mm, NO_BORDERS, ruleUnder, run, SIZE_PT, TEXT_WIDTH_MM } from './layout';

/**
 * The head of the first page (Decree 30/2020/NĐ-CP, Appendix I, part I, section IV, boxes 1–5a): on the
 * left the issuing body (box 2) with the number and symbol under it (box 3); on the right the national
 * title and motto (box 1) with the place and date under them (box 4); then, centred across the page, the
 * document type and its summary line (box 5a). The two columns are a borderless table, as in the
 * Decree's own templates.
 */

const LEFT_MM = 75;
const RIGHT_MM = TEXT_WIDTH_MM - LEFT_MM;

/** II.4: "Thái Bình, ngày 05 tháng 4 năm 2015": day below 10 and months 1–2 with a leading zero. A draft leaves the date blank. */
export function placeDateLine(place: string | null, state: ReportState, model: CompiledReportModel): string {
  const where = place ?? '……………';
  if (state.status === 'draft') {
    const year = localDate(model.compiledAt, model.timeZone).year;
    return `${where}, ngày      tháng      năm ${year}`;
  }
  const d = localDate(state.issuedAt, model.timeZone);
  const day = String(d.day).padStart(2, '0');
  const month = d.month < 3 ? String(d.month).padStart(2, '0') : String(d.month);
  return `${where}, ngày ${day} tháng ${month} năm ${d.year}`;
}

/** II.3: "Số: 05/BC-STTTT"; a draft keeps the space for the number. */
export function numberLine(state: ReportState, symbol: string): string {
  return state.status === 'issued' ? `Số: ${documentNumber(state.number, symbol)}` : `Số:        ${documentNumber(null, symbol)}`;
}

function column(children: Paragraph[], widthMm: number): TableCell {
  return new TableCell({
    children,
    width: { size: mm(widthMm), type: WidthType.DXA },
    verticalAlign: VerticalAlignTable.TOP,
    margins: { left: 0, right: 0, top: 0, bottom: 0 },
  });
}

export function headingBlock(model: CompiledReportModel, state: ReportState): Array<Paragraph | Table> {
  const issuing = model.issuing;
  const left: Paragraph[] = [];
  // II.2: the body above, capitals, upright; the issuer, capitals, bold, with a short rule under it.
  // A name written with line breaks in the program file keeps them (II.2 allows a long name on several lines).
  for (const line of (issuing.parent ?? '').split('\n').filter((l) => l.trim() !== ''))
    left.push(centred([run(line.trim().toLocaleUpperCase('vi'), SIZE_PT.parentBody)]));
  const nameLines = issuing.name
    .split('\n')
    .map((l) => l.trim().toLocaleUpperCase('vi'))
    .filter((l) => l !== '');
  for (const line of nameLines) left.push(centred([run(line, SIZE_PT.issuer, { bold: true })]));
  left.push(ruleUnder(nameLines, SIZE_PT.issuer, LEFT_MM));
  // II.3: the number, centred under the issuer.
  left.push(centred([run(numberLine(state, issuing.symbol), SIZE_PT.number)], { spacing: { before: 160, after: 0 } }));

  const right: Paragraph[] = [
    // II.1.a: capitals, bold.
    centred([run('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', SIZE_PT.nationalTitle, { bold: true })]),
    // II.1.b: bold, initials capitalised, hyphens between the phrases, underlined as long as the line.
    centred([run('Độc lập - Tự do - Hạnh phúc', SIZE_PT.motto, { bold: true, underline: { type: UnderlineType.SINGLE } })]),
    // II.4: italic, centred under the motto.
    centred([run(placeDateLine(issuing.place, state, model), SIZE_PT.placeDate, { italics: true })], { spacing: { before: 280, after: 0 } }),
  ];

  const table = new Table({
    layout: TableLayoutType.FIXED,
    width: { size: mm(TEXT_WIDTH_MM), type: WidthType.DXA },
    columnWidths: [mm(LEFT_MM), mm(RIGHT_MM)],
    borders: NO_BORDERS,
    rows: [new TableRow({ children: [column(left, LEFT_MM), column(right, RIGHT_MM)] })],
  });

  return [
    table,
    // II.5.a: the type in capitals, bold; the summary under it, bold; a short rule under the summary.
    centred([run('BÁO CÁO', SIZE_PT.docType, { bold: true })], { spacing: { before: 480, after: 0 } }),
    centred([run(model.title.vi, SIZE_PT.summary, { bold: true })], { indent: { left: mm(10), right: mm(10) } }),
    ruleUnder([model.title.vi], SIZE_PT.summary, TEXT_WIDTH_MM, TEXT_WIDTH_MM - 20),
    new Paragraph({ spacing: { before: 0, after: 240 }, children: [] }),
  ];
}
