import { DateTime } from 'luxon';
import type { EscalationStep } from '../program/schema';
import type { ScheduleView } from '../program/outline';
import { instantAt, localDateOf } from './local-date';
import type { CalendarPolicy } from './policy';
import type { EscalationNotice, NoticePlan, Reminder } from './round-schedule';
import { addWorkingDays } from './working-days';

/**
 * Counting rule, one anchor for both directions: the deadline day D is the civil day (in the program's
 * zone) on which the deadline instant falls. "N working days before" is the N-th working day strictly
 * before D; "N working days after" is the N-th working day strictly after D. Both land on working days,
 * reminders strictly before the deadline instant and escalations strictly after it, whatever the
 * configured times. Example: deadline 2015-03-25T00:00+07:00 (Wed), D = 25 Mar: 1 working day before is
 * Tue 24 Mar (the last day to submit) at 08:00; 1 working day after is Thu 26 Mar, the first whole
 * working day late having been the 25th.
 */
export interface NoticeRules {
  timeZone: string;
  calendar: CalendarPolicy;
  reminderOffsets: readonly number[];
  /** Local "HH:mm". */
  reminderAt: string;
  escalationSteps: readonly EscalationStep[];
  /** Local "HH:mm". */
  escalationAt: string;
}

function toIso(dt: DateTime): string {
  return dt.toISO({ suppressMilliseconds: true }) as string;
}

/** Reminders and escalations for any deadline: regular rounds, ad hoc rounds and extensions alike. */
export function planNotices(deadlineMs: number, rules: NoticeRules): NoticePlan {
  if (!Number.isFinite(deadlineMs)) throw new RangeError(`deadline must be epoch milliseconds, got ${deadlineMs}`);
  const day = localDateOf(deadlineMs, rules.timeZone);
  const offsets = [...new Set(rules.reminderOffsets)].sort((a, b) => b - a);
  const reminders: Reminder[] = offsets.map((n) => {
    const at = instantAt(addWorkingDays(day, -n, rules.calendar), rules.reminderAt, rules.timeZone);
    return { offsetWorkingDays: n, at: toIso(at), atMs: at.toMillis() };
  });
  const escalations: EscalationNotice[] = rules.escalationSteps.map((s, i) => {
    const at = instantAt(addWorkingDays(day, s.afterWorkingDays, rules.calendar), rules.escalationAt, rules.timeZone);
    return { step: i + 1, afterWorkingDays: s.afterWorkingDays, recipients: [...s.notify], at: toIso(at), atMs: at.toMillis() };
  });
  return { reminders, escalations };
}

/** The program's notice rules, optionally with other reminder offsets (a round's own, or an ad hoc round's). */
export function noticeRulesOf(program: Pick<ScheduleView, 'timeZone' | 'calendar' | 'reminders' | 'escalation'>, reminderOffsets?: readonly number[]): NoticeRules {
  return {
    timeZone: program.timeZone,
    calendar: program.calendar,
    reminderOffsets: reminderOffsets ?? program.reminders.offsetsWorkingDays,
    reminderAt: program.reminders.at,
    escalationSteps: program.escalation.steps,
    escalationAt: program.escalation.at,
  };
}

/** An instant as ISO-8601 with the zone's offset, e.g. 2015-03-25T00:00:00+07:00. */
export function formatInstant(epochMs: number, timeZone: string): string {
  return toIso(DateTime.fromMillis(epochMs, { zone: timeZone }));
}
