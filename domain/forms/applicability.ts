import type { FilledBy, FormSection, Indicator, IndicatorTable, ReportForm } from '../program/forms';
import type { LocalizedText } from '../program/localized-text';
import type { Unit } from '../program/schema';

/** What part of a form a unit fills: its category and id are all that decide it. */
export type FormUnit = Pick<Unit, 'id' | 'category'>;

/** True when `filledBy` asks this unit (absent: every unit the round asks). */
export function isAskedOf(filledBy: FilledBy | undefined, unit: FormUnit): boolean {
  if (filledBy === undefined) return true;
  return filledBy.units.includes(unit.id) || filledBy.categories.includes(unit.category);
}

/** Every indicator of the form, in table order, with the table it sits in. */
export function allIndicators(form: ReportForm): Array<{ table: IndicatorTable; indicator: Indicator }> {
  return form.tables.flatMap((table) => table.indicators.map((indicator) => ({ table, indicator })));
}

/** The indicators a unit is asked for, in table order. */
export function indicatorsFor(form: ReportForm, unit: FormUnit): Indicator[] {
  return allIndicators(form)
    .map((e) => e.indicator)
    .filter((i) => isAskedOf(i.filledBy, unit));
}

/** The sections a unit is asked to write. */
export function sectionsFor(form: ReportForm, unit: FormUnit): FormSection[] {
  return form.sections.filter((s) => isAskedOf(s.filledBy, unit));
}

/** The "Đơn vị tính" of an indicator: as declared, else by type (đồng, %), else none. */
export function unitOfMeasureOf(indicator: Pick<Indicator, 'type' | 'unitOfMeasure'>): LocalizedText | null {
  if (indicator.unitOfMeasure) return indicator.unitOfMeasure;
  if (indicator.type === 'amount-vnd') return { vi: 'đồng', en: 'VND' };
  if (indicator.type === 'percentage') return { vi: '%', en: '%' };
  return null;
}
