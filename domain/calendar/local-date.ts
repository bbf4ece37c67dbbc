import { DateTime } from 'luxon';

/**
 * Civil calendar days as ISO strings ("2015-03-25"). Holidays and working days are properties of a civil
 * day, not of an instant, so they are computed without any time zone; luxon does the arithmetic in UTC,
 * where every day has 24 hours, so no machine or program zone can shift a date.
 */
export type IsoDate = string;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function utcDay(date: IsoDate): DateTime {
  const dt = ISO_DATE.test(date) ? DateTime.fromISO(date, { zone: 'utc' }) : DateTime.invalid('not YYYY-MM-DD');
  if (!dt.isValid) throw new RangeError(`"${date}" is not a calendar date; write it as YYYY-MM-DD, e.g. 2015-03-25`);
  return dt;
}

export function isIsoDate(value: string): boolean {
  return ISO_DATE.test(value) && DateTime.fromISO(value, { zone: 'utc' }).isValid;
}

export function isoDate(year: number, month: number, day: number): IsoDate {
  const dt = DateTime.fromObject({ year, month, day }, { zone: 'utc' });
  if (!dt.isValid) throw new RangeError(`${year}-${month}-${day} is not a calendar date`);
  return dt.toISODate() as IsoDate;
}

export function plusDays(date: IsoDate, days: number): IsoDate {
  return utcDay(date).plus({ days }).toISODate() as IsoDate;
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: IsoDate): number {
  return utcDay(date).weekday;
}

export function yearOf(date: IsoDate): number {
  return utcDay(date).year;
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return Math.round(utcDay(b).diff(utcDay(a), 'days').days);
}

/** The civil day an instant falls on in `zone`. */
export function localDateOf(epochMs: number, zone: string): IsoDate {
  return DateTime.fromMillis(epochMs, { zone }).toISODate() as IsoDate;
}

/** The instant of a local wall-clock time ("HH:mm") on a civil day in `zone`. */
export function instantAt(date: IsoDate, time: string, zone: string): DateTime {
  const dt = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!dt.isValid) throw new RangeError(`cannot place ${date} ${time} in zone "${zone}": ${dt.invalidExplanation ?? dt.invalidReason}`);
  return dt;
}
