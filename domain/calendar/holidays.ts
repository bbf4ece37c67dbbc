import type { LocalizedText } from '../program/localized-text';
import { type IsoDate, isoDate, isoWeekday, plusDays } from './local-date';
import { lunarToSolar } from './lunar';
import { daysOf } from './day-rules';
import type { CalendarPolicy } from './policy';

export type HolidayKind = 'statutory' | 'compensatory' | 'scheduled';

export interface Holiday {
  date: IsoDate;
  name: LocalizedText;
  /** statutory: computed from the law; compensatory: a statutory day fell on a weekend; scheduled: from an override. */
  kind: HolidayKind;
}

const COMPENSATORY_NAME: LocalizedText = { vi: 'Nghỉ bù', en: 'Compensatory day off' };

function solarIso(d: { year: number; month: number; day: number }): IsoDate {
  return isoDate(d.year, d.month, d.day);
}

/**
 * The adjacent National Day holiday under the `bridge` rule, which reproduces the government's choices
 * for 2021–2025: take the neighbour of 2 Sep (3 Sep first, then 1 Sep) that is a working weekday next
 * to a weekend, so the holiday joins the weekend; else the first one that is a weekday at all; else 3 Sep.
 */
function bridgeDay(year: number, weekend: Set<number>): IsoDate {
  const candidates = [isoDate(year, 9, 3), isoDate(year, 9, 1)];
  const weekday = (d: IsoDate) => !weekend.has(isoWeekday(d));
  const touchesWeekend = (d: IsoDate) =>
    weekend.has(isoWeekday(plusDays(d, 1))) || weekend.has(isoWeekday(plusDays(d, -1)));
  return (
    candidates.find((d) => weekday(d) && touchesWeekend(d)) ?? candidates.find(weekday) ?? (candidates[0] as IsoDate)
  );
}

/** The holidays the law gives in `year`, before weekend compensation and overrides. */
export function statutoryHolidays(year: number, policy: CalendarPolicy): Holiday[] {
  const rules = policy.statutoryHolidays;
  const out: Holiday[] = [];
  for (const f of rules.fixed) out.push({ date: isoDate(year, f.month, f.day), name: f.name, kind: 'statutory' });

  const tet = lunarToSolar({ year, month: 1, day: 1, leap: false });
  if (tet) {
    const first = solarIso(tet);
    const { lastDaysOfOldYear, firstDaysOfNewYear, name } = rules.lunarNewYear;
    for (let i = -lastDaysOfOldYear; i < firstDaysOfNewYear; i++)
      out.push({ date: plusDays(first, i), name, kind: 'statutory' });
  }

  for (const l of rules.lunar) {
    // A leap month repeats an ordinary one; the festival keeps to the ordinary month.
    const solar = lunarToSolar({ year, month: l.month, day: l.day, leap: false }) ??
      // Day 30 of a 29-day month: the festival falls on the month's last day.
      (l.day === 30 ? lunarToSolar({ year, month: l.month, day: 29, leap: false }) : undefined);
    if (solar) out.push({ date: solarIso(solar), name: l.name, kind: 'statutory' });
  }

  const adj = rules.nationalDayAdjacent;
  if (adj.rule !== 'none' && year >= adj.fromYear) {
    const weekend = new Set(policy.weekend);
    const date =
      adj.rule === 'before' ? isoDate(year, 9, 1) : adj.rule === 'after' ? isoDate(year, 9, 3) : bridgeDay(year, weekend);
    out.push({ date, name: adj.name, kind: 'statutory' });
  }
  return dedupe(out);
}

function dedupe(list: Holiday[]): Holiday[] {
  const byDate = new Map<IsoDate, Holiday>();
  for (const h of list) if (!byDate.has(h.date)) byDate.set(h.date, h);
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** Statutory days that fall on a weekend each give the next day that is neither weekend nor holiday. */
function withCompensation(holidays: Holiday[], weekend: Set<number>): Holiday[] {
  const taken = new Set(holidays.map((h) => h.date));
  const extra: Holiday[] = [];
  for (const h of holidays) {
    if (!weekend.has(isoWeekday(h.date))) continue;
    let d = plusDays(h.date, 1);
    while (weekend.has(isoWeekday(d)) || taken.has(d)) d = plusDays(d, 1);
    taken.add(d);
    extra.push({ date: d, name: COMPENSATORY_NAME, kind: 'compensatory' });
  }
  return dedupe([...holidays, ...extra]);
}

/**
 * Every day off (other than ordinary weekends) whose date is in `year`: the statutory set with weekend
 * compensation, or the override's `replace` list, then the override's `add` and `remove`.
 */
export function holidaysForYear(year: number, policy: CalendarPolicy): Holiday[] {
  const override = policy.overrides.find((o) => o.year === year);
  const weekend = new Set(policy.weekend);
  let list: Holiday[];
  if (override?.replace) {
    list = dedupe(override.replace.flatMap((h) => daysOf(h).map((date) => ({ date, name: h.name, kind: 'scheduled' as const }))));
  } else {
    list = statutoryHolidays(year, policy);
    if (policy.statutoryHolidays.compensateWeekendHolidays) {
      // A late-December holiday on a weekend is compensated in January, so last year's days take part.
      const previousReplaced = policy.overrides.some((o) => o.year === year - 1 && o.replace);
      const previous = previousReplaced ? [] : statutoryHolidays(year - 1, policy);
      list = withCompensation(dedupe([...previous, ...list]), weekend).filter((h) => h.date.startsWith(`${year}-`));
    }
  }
  if (override) {
    const removed = new Set(override.remove);
    list = dedupe([
      ...list.filter((h) => !removed.has(h.date)),
      ...override.add.flatMap((h) => daysOf(h).map((date) => ({ date, name: h.name, kind: 'scheduled' as const }))),
    ]);
  }
  return list;
}
