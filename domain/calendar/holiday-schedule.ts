import { z } from 'zod';
import { localizedTextSchema } from '../program/localized-text';
import { holidayOverrideSchema, type HolidayOverride } from './policy';

/**
 * A published holiday schedule as data: for each year, the days off and the swapped working days
 * ("ngày làm bù") the government announced, with the document that announced them. It is a file of its
 * own (prisma/calendars/*.yaml) so that every province's program can follow it by name
 * (`calendar.holidaySchedule: vn-civil-service`) instead of copying dates; the program loader merges
 * its years into the program's `calendar.overrides`, and years it does not list fall back to the
 * statutory computation (domain/calendar/holidays.ts).
 */
export const holidayScheduleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'use lower-case ASCII letters, digits and single hyphens, e.g. "vn-civil-service"' }),
  title: localizedTextSchema,
  /** Who follows the schedule, e.g. the civil service with Saturdays and Sundays off. */
  appliesTo: localizedTextSchema,
  years: z.array(holidayOverrideSchema).superRefine((years, ctx) => {
    const seen = new Map<number, number>();
    years.forEach((y, i) => {
      const first = seen.get(y.year);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'year'], message: `${y.year} is listed twice (also years[${first}]); merge the two` });
      else seen.set(y.year, i);
    });
  }),
});
export type HolidaySchedule = z.output<typeof holidayScheduleSchema>;

/**
 * The overrides a program gets from a schedule: its own `overrides` as written, plus every year of the
 * schedule the program does not override itself (a program may know better for its province), after them.
 * Works on the raw program value, before validation, so a malformed `overrides` is left for the
 * program's validation to report.
 */
export function mergeHolidaySchedule(programOverrides: unknown, schedule: HolidaySchedule): unknown[] {
  const own = Array.isArray(programOverrides) ? programOverrides : [];
  const ownYears = new Set(own.map((o) => (o !== null && typeof o === 'object' ? (o as { year?: unknown }).year : undefined)));
  const fromSchedule: HolidayOverride[] = schedule.years.filter((y) => !ownYears.has(y.year));
  // The program's own entries first, where its author wrote them, so problems point at the right index.
  return [...own, ...fromSchedule];
}
