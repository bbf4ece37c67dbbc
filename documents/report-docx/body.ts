import { Paragraph, type Table } from 'docx';
import { reportSubject, type ReportState } from '../../domain/compilation/lifecycle';
import type { CompiledReportModel } from '../../domain/compilation/model';
import { roundMention } from '../format-vi';
import {
  categoryComplianceTable,
  complianceSummary,
  reviewComplianceMatrix,
  roundComplianceTable,
  yearComplianceMatrix,
} from './compliance-tables';
import { figuresNote, indicatorTable, listedValues } from './indicator-tables';
import { bodyParagraph, bodyText, run, SIZE_PT } from './layout';
import { unitTexts } from './unit-texts';

/**
 * The body of the compiled report (Decree 30/2020/NĐ-CP, Appendix I, II.6: parts numbered I, II, … in
 * Roman numerals, bold capitals; items 1, 2, … bold; points a), b), …): the introduction, then
 * I compliance, II indicators, III the units' texts, IV the units that did not report, V conclusions,
 * each only when it has content, and the closing line ending "./.".
 */

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII'];

function paragraphsOf(text: string): string[] {
  return text
    .split(/\n+/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function caption(text: string): Paragraph {
  return bodyParagraph([run(text, SIZE_PT.table, { bold: true, italics: true })], { indent: false, keepNext: true });
}

export function reportBody(model: CompiledReportModel, state: ReportState): Array<Paragraph | Table> {
  const out: Array<Paragraph | Table> = [];
  let part = 0;
  const heading = (title: string) => out.push(bodyParagraph([run(`${ROMAN[part++]}. ${title}`, SIZE_PT.body, { bold: true })], { keepNext: true }));
  let tableNo = 0;
  const nextCaption = (title: string) => caption(`Bảng ${++tableNo}. ${title}`);
  const spacer = () => new Paragraph({ spacing: { before: 0, after: 120 }, children: [] });

  for (const p of paragraphsOf(state.introduction)) out.push(bodyText(p));

  heading('TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ');
  out.push(complianceSummary(model));
  if (model.withoutFormData.length) {
    const names = new Map(model.compliance.units.map((u) => [u.unitId, u.name.vi]));
    const keys = new Map(model.compliance.rounds.map((r) => [r.roundId, r.key]));
    const list = model.withoutFormData
      .map((w) => {
        const when = roundMention(keys.get(w.roundId) ?? w.roundId, model.scope.kind);
        return `${names.get(w.unitId) ?? w.unitId}${when ? ` (${when})` : ''}`;
      })
      .join('; ');
    out.push(bodyText(`Gửi tệp báo cáo nhưng chưa nhập số liệu theo mẫu (không được tính vào số liệu tổng hợp): ${list}.`));
  }
  out.push(nextCaption('Tổng hợp theo nhóm cơ quan, đơn vị'), categoryComplianceTable(model), spacer());
  if (model.scope.kind === 'round') out.push(nextCaption('Tình hình gửi báo cáo của từng cơ quan, đơn vị'), roundComplianceTable(model), spacer());
  else if (model.scope.kind === 'year')
    out.push(nextCaption('Tình hình gửi báo cáo theo từng kỳ (số ngày trễ tính theo ngày lịch)'), yearComplianceMatrix(model), spacer());
  else out.push(nextCaption('Số kỳ báo cáo đúng hạn trên số kỳ phải gửi, theo năm'), reviewComplianceMatrix(model), spacer());

  if (model.tables.length) {
    heading('KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU');
    for (const t of model.tables) {
      out.push(nextCaption(t.title.vi), indicatorTable(model, t));
      out.push(...listedValues(model, t));
      out.push(spacer());
    }
    out.push(figuresNote());
  }

  const texts = unitTexts(model);
  if (texts.length) {
    heading('NỘI DUNG BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ');
    out.push(...texts);
  }

  heading('CÁC CƠ QUAN, ĐƠN VỊ CHƯA GỬI BÁO CÁO');
  if (model.missing.length === 0) out.push(bodyText('Tất cả các cơ quan, đơn vị đã gửi báo cáo.'));
  else
    for (const m of model.missing)
      out.push(bodyText(`- ${m.name.vi}${model.scope.kind === 'round' ? '' : ` (${m.rounds.map((k) => roundMention(k, model.scope.kind)).join(', ')})`}.`));

  const conclusions = paragraphsOf(state.conclusions);
  if (conclusions.length || state.status === 'draft') {
    heading('NHẬN XÉT, ĐỀ XUẤT, KIẾN NGHỊ');
    if (conclusions.length) for (const p of conclusions) out.push(bodyText(p));
    else out.push(bodyText(`(Nội dung do ${model.program.coordinator.name.vi} bổ sung trước khi ban hành.)`, { italics: true }));
  }

  out.push(bodyText(`Trên đây là báo cáo ${reportSubject(model)} của ${model.program.coordinator.name.vi}./.`));
  return out;
}
