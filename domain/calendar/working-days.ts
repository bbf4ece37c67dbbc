import { type Holiday, holidaysForYear } from './holidays';
import { type IsoDate, isoWeekday, plusDays, yearOf } from './local-date';
import type { CalendarPolicy } from './policy';

/**
 * Working-day arithmetic on civil days. Holiday sets are memoised per policy object and year: the
 * computation is pure, so the cache changes nothing but speed (workflow replays included).
 */
interface YearCache {
  holidays: Map<IsoDate, Holiday>;
  workingWeekendDays: Set<IsoDate>;
}

const cache = new WeakMap<CalendarPolicy, Map<number, YearCache>>();

function yearCache(policy: CalendarPolicy, year: number): YearCache {
  let perPolicy = cache.get(policy);
  if (!perPolicy) cache.set(policy, (perPolicy = new Map()));
  let entry = perPolicy.get(year);
  if (!entry) {
    entry = {
      holidays: new Map(holidaysForYear(year, policy).map((h) => [h.date, h])),
      workingWeekendDays: new Set(policy.overrides.find((o) => o.year === year)?.workingDays ?? []),
    };
    perPolicy.set(year, entry);
  }
  return entry;
}

/** The holiday on `date`, if any (ordinary weekends are not holidays). */
export function holidayOn(date: IsoDate, policy: CalendarPolicy): Holiday | undefined {
  return yearCache(policy, yearOf(date)).holidays.get(date);
}

export function isWorkingDay(date: IsoDate, policy: CalendarPolicy): boolean {
  const y = yearCache(policy, yearOf(date));
  if (y.holidays.has(date)) return false;
  return !policy.weekend.includes(isoWeekday(date)) || y.workingWeekendDays.has(date);
}

/** Long enough for any real calendar; only a policy with no working days at all can exhaust it. */
const MAX_SCAN_DAYS = 3660;

function step(date: IsoDate, direction: 1 | -1, policy: CalendarPolicy): IsoDate {
  let d = date;
  for (let i = 0; i < MAX_SCAN_DAYS; i++) {
    d = plusDays(d, direction);
    if (isWorkingDay(d, policy)) return d;
  }
  throw new Error(
    `no working day within ${MAX_SCAN_DAYS} days ${direction > 0 ? 'after' : 'before'} ${date}; check the calendar policy's weekend and holiday overrides`,
  );
}

/** The first working day strictly after `date`. */
export function nextWorkingDay(date: IsoDate, policy: CalendarPolicy): IsoDate {
  return step(date, 1, policy);
}

/** The last working day strictly before `date`. */
export function previousWorkingDay(date: IsoDate, policy: CalendarPolicy): IsoDate {
  return step(date, -1, policy);
}

/**
 * The n-th working day after `date` (n > 0) or before it (n < 0), counting only days strictly after
 * (before) `date`, so `date` itself never counts, whether it is a working day or not. n = 0 returns `date`.
 * For a working day d, addWorkingDays(addWorkingDays(d, n), -n) === d.
 */
export function addWorkingDays(date: IsoDate, n: number, policy: CalendarPolicy): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`working-day offset must be a whole number, got ${n}`);
  let d = date;
  const direction = n > 0 ? 1 : -1;
  for (let i = 0; i < Math.abs(n); i++) d = step(d, direction, policy);
  return d;
}

/** Working days in the inclusive range [from, to]; 0 when to < from. */
export function countWorkingDays(from: IsoDate, to: IsoDate, policy: CalendarPolicy): number {
  let count = 0;
  for (let d = from; d <= to; d = plusDays(d, 1)) if (isWorkingDay(d, policy)) count++;
  return count;
}
