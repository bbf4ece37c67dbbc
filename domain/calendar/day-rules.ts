import { plusDays } from './local-date';

/**
 * Day arithmetic of the calendar policy that needs no schema: `kybao calendar` computes a year from an
 * already validated program and loads these without zod (issue #14, CLI start-up).
 */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export function existsEveryYear(month: number, day: number): boolean {
  return day <= (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** A month 1–12 and a day 1–31: worth checking together (otherwise the bad one is reported alone). */
export function isMonthDay(month: unknown, day: unknown): month is number {
  return Number.isInteger(month) && (month as number) >= 1 && (month as number) <= 12 && Number.isInteger(day) && (day as number) >= 1 && (day as number) <= 31;
}

/** Every day a `date`/`to` entry covers, in order. */
export function daysOf(entry: { date: string; to?: string | undefined }): string[] {
  const days = [entry.date];
  if (entry.to === undefined) return days;
  for (let d = plusDays(entry.date, 1); d <= entry.to; d = plusDays(d, 1)) days.push(d);
  return days;
}
