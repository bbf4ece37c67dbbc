import { AlignmentType, Document, Footer, Header, Packer, PageNumber, Paragraph, TextRun } from 'docx';
import type { ReportState } from '../../domain/compilation/lifecycle';
import type { CompiledReportModel } from '../../domain/compilation/model';
import { reportBody } from './body';
import { headingBlock } from './heading-block';
import { FONT, MARGIN_MM, mm, PAGE_MM, run, SIZE_PT } from './layout';
import { signatureBlock } from './signature-block';

/**
 * The compiled report as an administrative document (.docx) in the layout of Decree 30/2020/NĐ-CP,
 * Appendix I (see ./layout.ts for the rules and where each is applied). A draft shows "DỰ THẢO" at the
 * top of its first page and leaves the number and the date blank; an issued report prints both.
 * Returns the file's bytes; writing it is the caller's business.
 */
export async function renderReportDocx(model: CompiledReportModel, state: ReportState): Promise<Buffer> {
  const firstPageHeader = new Header({
    children: [
      new Paragraph({
        alignment: AlignmentType.LEFT,
        children: state.status === 'draft' ? [run('DỰ THẢO', SIZE_PT.recipientsLabel, { bold: true })] : [],
      }),
    ],
  });
  // I.7: page numbers centred in the top margin, from page 2 on.
  const pageNumberHeader = new Header({
    children: [
      new Paragraph({
        alignment: AlignmentType.CENTER,
        children: [new TextRun({ children: [PageNumber.CURRENT], font: FONT, size: SIZE_PT.pageNumber * 2 })],
      }),
    ],
  });
  const doc = new Document({
    creator: 'kybao',
    title: `${model.title.vi}`,
    description: `${model.program.id} ${model.scope.kind} ${state.status}`,
    styles: { default: { document: { run: { font: FONT, size: SIZE_PT.body * 2 } } } },
    sections: [
      {
        properties: {
          titlePage: true,
          page: {
            size: { width: mm(PAGE_MM.width), height: mm(PAGE_MM.height) },
            margin: { top: mm(MARGIN_MM.top), bottom: mm(MARGIN_MM.bottom), left: mm(MARGIN_MM.left), right: mm(MARGIN_MM.right), header: mm(MARGIN_MM.header), footer: mm(MARGIN_MM.header) },
          },
        },
        headers: { first: firstPageHeader, default: pageNumberHeader },
        footers: { first: new Footer({ children: [] }), default: new Footer({ children: [] }) },
        children: [...headingBlock(model, state), ...reportBody(model, state), new Paragraph({ spacing: { before: 120, after: 0 }, children: [] }), signatureBlock(model, state)],
      },
    ],
  });
  return Packer.toBuffer(doc);
}
