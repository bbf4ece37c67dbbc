import type { UnitCategory } from '../program/ids';
import type { LocalizedText } from '../program/localized-text';

/** Words of the compiled report that come from the domain, not from a program file. */

const ROMAN = ['I', 'II', 'III', 'IV'] as const;

/** Quarters are written in Roman numerals in Vietnamese administrative texts: "quý I năm 2015". */
export function quarterLabel(quarter: number, year: number): LocalizedText {
  const roman = ROMAN[quarter - 1];
  if (roman === undefined) throw new Error(`quarter ${quarter} is not 1–4`);
  return { vi: `quý ${roman} năm ${year}`, en: `Q${quarter} ${year}` };
}

export function yearLabel(year: number): LocalizedText {
  return { vi: `năm ${year}`, en: `${year}` };
}

/** "giai đoạn 2014 – 2017": an en dash between spaced years, as the decision writes its period. */
export function periodLabel(fromYear: number, toYear: number): LocalizedText {
  return { vi: `giai đoạn ${fromYear} – ${toYear}`, en: `${fromYear}–${toYear}` };
}

/** How the categories are named in compiled tables (the decision's collective names). */
export const CATEGORY_LABELS: Record<UnitCategory, LocalizedText> = {
  department: { vi: 'Sở, ban, ngành', en: 'Departments and agencies' },
  district: { vi: 'UBND huyện, thành phố', en: 'District and city committees' },
  'socio-political': { vi: 'Tổ chức chính trị - xã hội', en: 'Socio-political organisations' },
  press: { vi: 'Cơ quan báo chí', en: 'Press agencies' },
  other: { vi: 'Đơn vị khác', en: 'Other units' },
};

/** The order categories are listed in: the decision's order (Art. 1.1, scope). */
export const CATEGORY_ORDER: readonly UnitCategory[] = ['department', 'district', 'socio-political', 'press', 'other'];

export const STATUS_LABELS = {
  'on-time': { vi: 'Đúng hạn', en: 'On time' },
  late: { vi: 'Quá hạn', en: 'Late' },
  missing: { vi: 'Chưa gửi', en: 'Missing' },
} as const satisfies Record<string, LocalizedText>;
