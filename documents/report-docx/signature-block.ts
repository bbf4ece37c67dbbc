import { AlignmentType, LineRuleType, Paragraph, Table, TableCell, TableLayoutType, TableRow, VerticalAlignTable, WidthType } from 'docx';
import type { ReportState } from '../../domain/compilation/lifecycle';
import type { CompiledReportModel } from '../../domain/compilation/model';
import { centred, mm, NO_BORDERS, run, SIZE_PT, TEXT_WIDTH_MM } from './layout';

/**
 * The foot of the report, side by side as the Decree's templates draw it (Appendix I, part I, section
 * IV, boxes 9a/9b on the left and 7a–7c on the right):
 *
 * - II.9 "Nơi nhận:": 12 pt bold italic; each recipient on its own line, 11 pt upright, starting with a
 *   dash at the left edge and ending with a semicolon; the last line "Lưu: VT, …" ends with a full stop;
 * - II.7 the signer's capacity and position in capitals, 13–14 pt bold, the name 13–14 pt bold, centred
 *   under them, with room between for the signature and the seal.
 */

const LEFT_MM = 85;
const RIGHT_MM = TEXT_WIDTH_MM - LEFT_MM;

function line(text: string, sizePt: number, style: { bold?: boolean; italics?: boolean } = {}): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.LEFT,
    spacing: { before: 0, after: 0, line: 240, lineRule: LineRuleType.AUTO },
    children: [run(text, sizePt, style)],
  });
}

export function recipientLines(model: CompiledReportModel): string[] {
  return [
    ...model.issuing.recipients.map((r) => `- ${r.name}${r.purpose === 'report' ? ' (để báo cáo)' : ''};`),
    `- Lưu: ${model.issuing.archive}.`,
  ];
}

/** An issued report prints who signed it; a draft the program's usual signer, with the name left for the signer. */
export function signatureBlock(model: CompiledReportModel, state: ReportState): Table {
  const signer = state.status === 'issued' ? state.signer : model.issuing.signer;
  const left = [line('Nơi nhận:', SIZE_PT.recipientsLabel, { bold: true, italics: true }), ...recipientLines(model).map((l) => line(l, SIZE_PT.recipients))];
  const right = [
    ...signer.title.map((t) => centred([run(t.toLocaleUpperCase('vi'), SIZE_PT.signer, { bold: true })])),
    // Room to sign and seal: about 30 mm.
    new Paragraph({ spacing: { before: 0, after: 0, line: mm(30), lineRule: LineRuleType.EXACT }, children: [] }),
    centred([run(signer.name ?? '', SIZE_PT.signer, { bold: true })]),
  ];
  const column = (children: Paragraph[], widthMm: number) =>
    new TableCell({ children, width: { size: mm(widthMm), type: WidthType.DXA }, verticalAlign: VerticalAlignTable.TOP, margins: { left: 0, right: 0, top: 0, bottom: 0 } });
  return new Table({
    layout: TableLayoutType.FIXED,
    width: { size: mm(TEXT_WIDTH_MM), type: WidthType.DXA },
    columnWidths: [mm(LEFT_MM), mm(RIGHT_MM)],
    borders: NO_BORDERS,
    rows: [new TableRow({ cantSplit: true, children: [column(left, LEFT_MM), column(right, RIGHT_MM)] })],
  });
}
