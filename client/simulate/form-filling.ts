import { indicatorsFor, sectionsFor } from '../../domain/forms/applicability';
import type { FormData } from '../../domain/forms/form-data';
import type { Indicator, ReportForm } from '../../domain/program/forms';
import { unitsOf } from '../../domain/program/resolve';
import type { Program, Unit } from '../../domain/program/schema';
import { seededRandom } from './behaviour';

/**
 * What a simulated unit writes on a form: plausible figures and short Vietnamese texts, the same for
 * the same seed, unit and round (a hash of the three seeds the generator), so simulations and their
 * compiled reports can be repeated. It fills everything the unit is asked for, writes one text per focal
 * task it leads or coordinates, and its output always passes `formSubmissionSchema` (tested).
 */

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Focal tasks a unit leads or coordinates (groups resolved). */
export function tasksOfUnit(program: Program, unitId: string): number[] {
  return program.tasks
    .filter((t) => [t.lead, ...t.coordinating].some((ref) => unitsOf(program, ref).some((u) => u.id === unitId)))
    .map((t) => t.number);
}

const ACTIVITIES = [
  'tổ chức tuyên truyền trên trang thông tin điện tử của đơn vị',
  'phối hợp với Sở Thông tin và Truyền thông biên soạn tài liệu',
  'tham gia hội nghị, hội thảo chuyên đề',
  'cử cán bộ tham dự lớp tập huấn nghiệp vụ',
  'cung cấp thông tin cho báo chí trong và ngoài tỉnh',
];

function value(ind: Indicator, random: () => number): number | string | undefined {
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  switch (ind.type) {
    case 'count':
      return between(0, Math.min(ind.max ?? 12, 12));
    case 'amount-vnd':
      return String(between(0, 400) * 500_000); // up to 200 million đồng, in steps of 500,000
    case 'percentage':
      return between(0, 10_000) / 100;
    case 'text':
      return random() < 0.5 ? undefined : `Hoạt động nổi bật: ${ACTIVITIES[between(0, ACTIVITIES.length - 1)]}.`;
  }
}

export function simulateFormData(program: Program, form: ReportForm, unit: Unit, seed: number, roundKey: string): FormData {
  const random = seededRandom(hash(`${seed}|${unit.id}|${roundKey}`));
  const indicators: FormData['indicators'] = {};
  for (const ind of indicatorsFor(form, unit)) {
    const v = value(ind, random);
    if (v !== undefined || ind.required) indicators[ind.id] = v ?? 'Không có.';
  }
  const ownTasks = new Set(tasksOfUnit(program, unit.id));
  const sections: FormData['sections'] = {};
  for (const section of sectionsFor(form, unit)) {
    const tasks: Record<string, string> = {};
    for (const n of section.tasks.filter((t) => ownTasks.has(t))) {
      const title = program.tasks.find((t) => t.number === n)?.title.vi ?? `nhiệm vụ ${n}`;
      tasks[String(n)] = `Trong kỳ, đơn vị ${ACTIVITIES[Math.floor(random() * ACTIVITIES.length)]} về nội dung: ${title.charAt(0).toLowerCase()}${title.slice(1)}`;
    }
    const wantsText = section.tasks.length === 0 ? random() < 0.4 : Object.keys(tasks).length === 0 && section.required;
    const text = wantsText ? `${unit.name.vi}: ${ACTIVITIES[Math.floor(random() * ACTIVITIES.length)]}.` : undefined;
    if (text !== undefined || Object.keys(tasks).length) sections[section.id] = { ...(text !== undefined ? { text } : {}), tasks };
  }
  return { indicators, sections };
}
