import {
  AlignmentType,
  BorderStyle,
  LineRuleType,
  Paragraph,
  TableCell,
  TextRun,
  VerticalAlignTable,
  WidthType,
  type IParagraphOptions,
  type IRunOptions,
} from 'docx';

/**
 * The layout rules of an administrative document, Decree 30/2020/NĐ-CP on clerical work (công tác văn
 * thư), Appendix I ("Thể thức, kỹ thuật trình bày văn bản hành chính"), part I:
 *
 * - section I.1–I.3: A4 (210 × 297 mm), portrait; margins top and bottom 20–25 mm, left 30–35 mm,
 *   right 15–20 mm (here 20, 20, 30, 15: the text block is 165 mm wide);
 * - section I.4: Times New Roman (Unicode, TCVN 6909:2001), black;
 * - section I.7: page numbers in Arabic digits, 13–14 pt upright, centred in the top margin, not on
 *   the first page;
 * - section II: sizes and styles of each component (cited where each is drawn).
 *
 * Sizes below are in points and stay inside the Decree's ranges; tables inside the body are not sized by
 * the Decree and use 12 pt (11 pt for the wide matrices), as is usual.
 */

export const FONT = 'Times New Roman';

export const PAGE_MM = { width: 210, height: 297 } as const;
export const MARGIN_MM = { top: 20, bottom: 20, left: 30, right: 15, header: 10 } as const;
export const TEXT_WIDTH_MM = PAGE_MM.width - MARGIN_MM.left - MARGIN_MM.right;

export const SIZE_PT = {
  /** II.1.a: the national title, capitals, 12–13 pt, upright, bold (12: it fits the right column on one line). */
  nationalTitle: 12,
  /** II.1.b: the motto, 13–14 pt, upright, bold, underlined by a line as long as the text. */
  motto: 13,
  /** II.2: the body above the issuer (cơ quan chủ quản), capitals, 12–13 pt, upright. */
  parentBody: 12,
  /** II.2: the issuing body, capitals, 12–13 pt, upright, bold. */
  issuer: 12,
  /** II.3: "Số: …/BC-…", 13 pt, upright. */
  number: 13,
  /** II.4: place and date, 13–14 pt, italic. */
  placeDate: 13,
  /** II.5.a: the document type ("BÁO CÁO"), capitals, 13–14 pt, bold, and its summary (trích yếu), 13–14 pt, bold. */
  docType: 14,
  summary: 14,
  /** II.6: the body, 13–14 pt. */
  body: 14,
  /** II.7: capacity, position and the signer's name, 13–14 pt, bold. */
  signer: 14,
  /** II.9: "Nơi nhận:" 12 pt bold italic; the recipients 11 pt upright. */
  recipientsLabel: 12,
  recipients: 11,
  /** I.7. */
  pageNumber: 13,
  table: 12,
  matrix: 11,
} as const;

/** II.6: first line indented 1–1.27 cm; at least 6 pt between paragraphs; line spacing single to 1.5 lines. */
export const BODY_PARAGRAPH = {
  firstLineIndentTwip: 720, // 12.7 mm = 0.5 inch
  spacingAfterTwip: 6 * 20,
  /** 1.15 lines (240 = single). */
  lineAuto: 276,
} as const;

/** Millimetres to twips, rounded to the nearest (docx's helper truncates: A4 would be 11905 wide, not 11906). */
export function mm(millimetres: number): number {
  return Math.round((millimetres * 1440) / 25.4);
}

export const NO_BORDER = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' } as const;
export const NO_BORDERS = { top: NO_BORDER, bottom: NO_BORDER, left: NO_BORDER, right: NO_BORDER, insideHorizontal: NO_BORDER, insideVertical: NO_BORDER } as const;
export const THIN = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;
export const THIN_BORDERS = { top: THIN, bottom: THIN, left: THIN, right: THIN, insideHorizontal: THIN, insideVertical: THIN } as const;

export function run(text: string, sizePt: number, style: Omit<IRunOptions, 'text' | 'size' | 'font'> = {}): TextRun {
  return new TextRun({ text, size: Math.round(sizePt * 2), font: FONT, ...style });
}

/** A centred, single-spaced line (the heading blocks). */
export function centred(children: TextRun[], extra: Omit<IParagraphOptions, 'children'> = {}): Paragraph {
  return new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 0, after: 0, line: 240, lineRule: LineRuleType.AUTO }, children, ...extra });
}

/** A body paragraph (II.6): justified, first line indented, 6 pt after, 1.15 lines. */
export function bodyParagraph(children: TextRun[], options: { indent?: boolean; keepNext?: boolean } = {}): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.JUSTIFIED,
    indent: options.indent === false ? undefined : { firstLine: BODY_PARAGRAPH.firstLineIndentTwip },
    spacing: { before: 0, after: BODY_PARAGRAPH.spacingAfterTwip, line: BODY_PARAGRAPH.lineAuto, lineRule: LineRuleType.AUTO },
    keepNext: options.keepNext,
    children,
  });
}

export function bodyText(text: string, style: Omit<IRunOptions, 'text' | 'size' | 'font'> = {}): Paragraph {
  return bodyParagraph([run(text, SIZE_PT.body, style)]);
}

/**
 * Roughly how wide a line of Times New Roman is, in mm: capitals about 0.62 em a character, mixed text
 * about 0.5 em (bold). Enough to size the rules under headings within the Decree's 1/3–1/2.
 */
export function estimatedWidthMm(text: string, sizePt: number): number {
  const em = (sizePt * 25.4) / 72;
  const factor = text === text.toLocaleUpperCase('vi') ? 0.62 : 0.5;
  return text.length * factor * em;
}

/**
 * The rule under a heading of `lines`, centred in a space `widthMm` wide: 40% of its longest line (II.2,
 * II.5.a: 1/3 to 1/2), a line being at most `lineMm` wide where the text wraps.
 */
export function ruleUnder(lines: string[], sizePt: number, widthMm: number, lineMm = widthMm): Paragraph {
  const longest = Math.max(...lines.map((l) => Math.min(estimatedWidthMm(l, sizePt), lineMm)));
  return shortRule(Math.round(longest * 0.4), widthMm);
}

/**
 * A short rule under a centred heading: an empty paragraph with a bottom border, indented so the line is
 * `lengthMm` long and centred in a space `widthMm` wide (II.2 and II.5.a ask for 1/3 to 1/2 of the text above).
 */
export function shortRule(lengthMm: number, widthMm: number): Paragraph {
  const side = Math.max(0, (widthMm - lengthMm) / 2);
  return new Paragraph({
    indent: { left: mm(side), right: mm(side) },
    spacing: { before: 0, after: 0, line: 120, lineRule: LineRuleType.EXACT },
    border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: '000000', space: 1 } },
    children: [],
  });
}

/** A table cell of the body's tables. */
export function cell(
  paragraphs: Paragraph[],
  widthMm: number,
  options: { columnSpan?: number; shade?: boolean } = {},
): TableCell {
  return new TableCell({
    children: paragraphs,
    width: { size: mm(widthMm), type: WidthType.DXA },
    verticalAlign: VerticalAlignTable.CENTER,
    margins: { left: mm(1.2), right: mm(1.2), top: mm(0.5), bottom: mm(0.5) },
    columnSpan: options.columnSpan,
    shading: options.shade ? { fill: 'F2F2F2', color: 'auto', type: 'clear' } : undefined,
  });
}

export function cellText(text: string, sizePt: number, options: { bold?: boolean; italics?: boolean; align?: 'left' | 'center' | 'right' } = {}): Paragraph {
  const alignment = options.align === 'right' ? AlignmentType.RIGHT : options.align === 'center' ? AlignmentType.CENTER : AlignmentType.LEFT;
  return new Paragraph({
    alignment,
    spacing: { before: 0, after: 0, line: 240, lineRule: LineRuleType.AUTO },
    children: [run(text, sizePt, { bold: options.bold, italics: options.italics })],
  });
}
