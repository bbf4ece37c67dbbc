import type { Paragraph } from 'docx';
import type { CompiledReportModel, TextEntry } from '../../domain/compilation/model';
import { roundMention } from '../format-vi';
import { bodyParagraph, run, SIZE_PT } from './layout';

/** Section III of the report: what each unit wrote, under its section and focal task. */

const LETTERS = 'abcdefghiklmnopqrstuvxy'; // the Vietnamese alphabet's order for points a), b), … (no j, w, z)

function entryParagraphs(model: CompiledReportModel, entries: TextEntry[]): Paragraph[] {
  const names = new Map(model.compliance.units.map((u) => [u.unitId, u.name.vi]));
  const keys = new Map(model.compliance.rounds.map((r) => [r.roundId, r.key]));
  return entries.flatMap((e) => {
    const [first = '', ...rest] = e.text.split(/\n+/).map((line) => line.trim()).filter((line) => line !== '');
    const when = roundMention(keys.get(e.roundId) ?? e.roundId, model.scope.kind);
    const who = `- ${names.get(e.unitId) ?? e.unitId}${when ? ` (${when})` : ''}: `;
    return [bodyParagraph([run(who, SIZE_PT.body, { bold: true }), run(first, SIZE_PT.body)]), ...rest.map((line) => bodyParagraph([run(line, SIZE_PT.body)]))];
  });
}

/** Sections nobody wrote in are left out; so are tasks, which are then named in one line. */
export function unitTexts(model: CompiledReportModel): Paragraph[] {
  const out: Paragraph[] = [];
  const written = model.sections.filter((s) => s.general.length > 0 || s.tasks.length > 0);
  written.forEach((section, i) => {
    out.push(bodyParagraph([run(`${i + 1}. ${section.title.vi}`, SIZE_PT.body, { bold: true })], { keepNext: true }));
    section.tasks.forEach((task, j) => {
      out.push(
        bodyParagraph([run(`${LETTERS[j] ?? String(j + 1)}) Nhiệm vụ ${task.number}: ${task.title.vi}`, SIZE_PT.body, { bold: true, italics: true })], {
          keepNext: true,
        }),
      );
      out.push(...entryParagraphs(model, task.entries));
    });
    if (section.general.length) {
      if (section.tasks.length) out.push(bodyParagraph([run('Nội dung chung:', SIZE_PT.body, { bold: true, italics: true })], { keepNext: true }));
      out.push(...entryParagraphs(model, section.general));
    }
    if (section.tasks.length && section.tasksWithoutEntries.length)
      out.push(
        bodyParagraph([
          run(`Chưa có đơn vị báo cáo kết quả các nhiệm vụ: ${section.tasksWithoutEntries.join(', ')}.`, SIZE_PT.body, { italics: true }),
        ]),
      );
  });
  return out;
}
