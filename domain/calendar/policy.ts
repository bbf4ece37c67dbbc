import { z } from 'zod';
import { describeValue } from '../program/error-map';
import { localizedTextSchema } from '../program/localized-text';
import { yearSchema } from '../program/year';
import { isIsoDate } from './local-date';
// The rules without zod live apart so that `kybao calendar` loads no schema (issue #14); kept exported here.
import { daysOf, existsEveryYear, isMonthDay } from './day-rules';
export { daysOf, existsEveryYear, isMonthDay };

export const isoDateSchema = z
  .string({ error: (iss) => (iss.input === undefined ? undefined : `must be a date written YYYY-MM-DD (e.g. 2015-09-03), got ${describeValue(iss.input)}`) })
  .refine(isIsoDate, { error: (iss) => `"${String(iss.input)}" is not a calendar date; write YYYY-MM-DD, e.g. 2015-09-03` });

/** "HH:mm" on the 24-hour clock, local to the program's time zone. */
export const localTimeSchema = z
  .string({ error: (iss) => (iss.input === undefined ? undefined : `must be a time of day written HH:mm (e.g. 08:00), got ${describeValue(iss.input)}`) })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: (iss) => `"${String(iss.input)}" is not a time of day; write HH:mm, e.g. 08:00` });

const weekdayMessage = (iss: { input?: unknown }) =>
  iss.input === undefined ? undefined : `must be a weekday number, 1 (Monday) … 7 (Sunday), got ${describeValue(iss.input)}`;
const isoWeekdaySchema = z.int({ error: weekdayMessage }).min(1, { error: weekdayMessage }).max(7, { error: weekdayMessage });

const monthDay = {
  month: z.int().min(1).max(12),
  day: z.int().min(1).max(31),
};

const datedNameSchema = z
  .strictObject({
    date: isoDateSchema,
    /** The last day (inclusive) of a run of days off with one name, e.g. Tết 2017: date 2017-01-26, to 2017-02-01. */
    to: isoDateSchema.optional(),
    name: localizedTextSchema.default({ vi: 'Ngày nghỉ theo lịch của Chính phủ', en: 'Day off by government schedule' }),
  })
  .refine((h) => h.to === undefined || h.to >= h.date, {
    error: (iss) => `the run ends before it starts; "to" must be on or after "date" (${String((iss.input as { date?: unknown }).date)})`,
    path: ['to'],
  });

/**
 * The government publishes each year's actual holiday schedule (with swapped days); it wins over the
 * statutory computation: `replace` drops the computed set, `add`/`remove` patch it, and `workingDays`
 * names weekend days that are worked to make up for a bridge day ("làm bù"). `source` says which
 * decision or notice the dates come from (shown by `kybao calendar`).
 */
export const holidayOverrideSchema = z
  .strictObject({
    year: yearSchema,
    source: z.string().trim().min(1).optional(),
    replace: z.array(datedNameSchema).optional(),
    add: z.array(datedNameSchema).default([]),
    remove: z.array(isoDateSchema).default([]),
    workingDays: z.array(isoDateSchema).default([]),
  })
  .superRefine((o, ctx) => {
    const check = (date: string | undefined, path: (string | number)[]) => {
      if (typeof date === 'string' && isIsoDate(date) && !date.startsWith(`${o.year}-`))
        ctx.addIssue({ code: 'custom', path, message: `${date} is not in ${o.year}; move it to the override for its own year` });
    };
    o.replace?.forEach((h, i) => {
      check(h.date, ['replace', i, 'date']);
      check(h.to, ['replace', i, 'to']);
    });
    o.add.forEach((h, i) => {
      check(h.date, ['add', i, 'date']);
      check(h.to, ['add', i, 'to']);
    });
    o.remove.forEach((d, i) => check(d, ['remove', i]));
    o.workingDays.forEach((d, i) => check(d, ['workingDays', i]));
    // A day is either off or worked: both at once is a typo in the schedule.
    const off = new Set([...(o.replace ?? []), ...o.add].filter((h) => isIsoDate(h.date) && (h.to === undefined || isIsoDate(h.to))).flatMap(daysOf));
    o.workingDays.forEach((d, i) => {
      if (off.has(d)) ctx.addIssue({ code: 'custom', path: ['workingDays', i], message: `${d} is also listed as a day off; a day is either off or worked` });
    });
  });

/**
 * Statutory public holidays (Labour Code 2019, Art. 112) as data, so a program can follow a later law.
 * Defaults: 1 Jan, 30 Apr, 1 May, 2 Sep; Hùng Kings' Day 10/3 lunar; Tết = the last day of the old lunar
 * year plus the first 4 days of the new one (the split the government has used most years, e.g. Tết
 * 2019, 2020, 2023); 2 Sep's adjacent day chosen to bridge to the weekend (see holidays.ts), only from
 * 2021 when the 2019 Code took effect (the 2012 Code gave 2 Sep alone).
 */
export const statutoryHolidaysSchema = z.strictObject({
  fixed: z
    .array(
      z.strictObject({ ...monthDay, name: localizedTextSchema }).refine((f) => !isMonthDay(f.month, f.day) || existsEveryYear(f.month, f.day), {
        error: 'this day does not exist every year; choose a month and day that do (29 Feb is not allowed)',
        path: ['day'],
      }),
    )
    .default([
      { month: 1, day: 1, name: { vi: 'Tết Dương lịch', en: "New Year's Day" } },
      { month: 4, day: 30, name: { vi: 'Ngày Chiến thắng', en: 'Reunification Day' } },
      { month: 5, day: 1, name: { vi: 'Ngày Quốc tế lao động', en: 'International Labour Day' } },
      { month: 9, day: 2, name: { vi: 'Quốc khánh', en: 'National Day' } },
    ]),
  lunar: z
    .array(z.strictObject({ month: z.int().min(1).max(12), day: z.int().min(1).max(30), name: localizedTextSchema }))
    .default([{ month: 3, day: 10, name: { vi: 'Giỗ Tổ Hùng Vương', en: "Hùng Kings' Commemoration Day" } }]),
  lunarNewYear: z
    .strictObject({
      lastDaysOfOldYear: z.int().min(0).max(10).default(1),
      firstDaysOfNewYear: z.int().min(0).max(10).default(4),
      name: localizedTextSchema.default({ vi: 'Tết Nguyên đán', en: 'Lunar New Year (Tết)' }),
    })
    .prefault({}),
  nationalDayAdjacent: z
    .strictObject({
      rule: z.enum(['bridge', 'before', 'after', 'none']).default('bridge'),
      fromYear: yearSchema.default(2021),
      name: localizedTextSchema.default({ vi: 'Nghỉ lễ Quốc khánh', en: 'National Day holiday' }),
    })
    .prefault({}),
  /** Art. 111(3): a holiday on a weekly rest day gives the next working day off. */
  compensateWeekendHolidays: z.boolean().default(true),
});

export const deadlineShiftSchema = z.enum(['keep', 'previous-working-day', 'next-working-day']);
export type DeadlineShift = z.infer<typeof deadlineShiftSchema>;

export const calendarPolicySchema = z.strictObject({
  /**
   * The published holiday schedules this calendar follows: the name of a schedule that ships with
   * kybao (prisma/calendars/<name>.yaml, e.g. vn-civil-service) or the path of a schedule file
   * relative to the program file. The program loader merges its years into `overrides` (a year the
   * program overrides itself keeps the program's version); years it does not list are computed.
   */
  holidaySchedule: z.string().trim().min(1).optional(),
  /** ISO weekdays off every week. */
  weekend: z.array(isoWeekdaySchema).default([6, 7]),
  statutoryHolidays: statutoryHolidaysSchema.prefault({}),
  overrides: z
    .array(holidayOverrideSchema)
    .default([])
    .superRefine((list, ctx) => {
      const seen = new Set<number>();
      list.forEach((o, i) => {
        if (seen.has(o.year))
          ctx.addIssue({ code: 'custom', path: [i, 'year'], message: `a second override for ${o.year}; merge it into the first one` });
        seen.add(o.year);
      });
    }),
  /**
   * What happens when the last day for submission is not a working day. `keep` follows the decision's
   * wording literally; `next-working-day` is the Civil Code (Art. 148) rule; `previous-working-day`
   * suits a coordinator who wants reports in hand before a long holiday.
   */
  deadlineOnNonWorkingDay: deadlineShiftSchema.default('keep'),
});
export type CalendarPolicy = z.infer<typeof calendarPolicySchema>;
export type HolidayOverride = z.infer<typeof holidayOverrideSchema>;
