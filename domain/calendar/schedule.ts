import type { DueDateRule } from '../program/schema';
import type { ScheduleView } from '../program/outline';
import type { LocalizedText } from '../program/localized-text';
import { existsEveryYear } from './day-rules';
import { type IsoDate, instantAt, isoDate, plusDays } from './local-date';
import { formatInstant, noticeRulesOf, planNotices } from './notices';
import type { Responsible, RoundKind, ScheduledRound, YearSchedule } from './round-schedule';
import { isWorkingDay, nextWorkingDay, previousWorkingDay } from './working-days';

export interface Deadline {
  /** The last civil day on which a submission is on time. */
  lastDay: IsoDate;
  /** The day the rule named as last day, when the non-working-day policy moved it. */
  shiftedFrom?: IsoDate;
  /** 00:00 local on the day after `lastDay`: submissions at or after it are late. */
  deadlineMs: number;
}

/**
 * The deadline for a rule in a cycle year. The non-working-day policy looks at the last day to submit
 * (for "before the 25th", the 24th), because that is the day a unit could find its office closed.
 */
export function computeDeadline(
  rule: Pick<DueDateRule, 'month' | 'day' | 'yearOffset' | 'cutoff'>,
  cycleYear: number,
  program: Pick<ScheduleView, 'timeZone' | 'calendar'>,
): Deadline {
  if (!existsEveryYear(rule.month, rule.day))
    throw new RangeError(`due date ${rule.day}/${rule.month} does not exist every year; choose a day that does`);
  const named = isoDate(cycleYear + rule.yearOffset, rule.month, rule.day);
  const ruleLastDay = rule.cutoff === 'start-of-day' ? plusDays(named, -1) : named;
  const policy = program.calendar.deadlineOnNonWorkingDay;
  let lastDay = ruleLastDay;
  if (policy !== 'keep' && !isWorkingDay(ruleLastDay, program.calendar)) {
    lastDay =
      policy === 'previous-working-day'
        ? previousWorkingDay(ruleLastDay, program.calendar)
        : nextWorkingDay(ruleLastDay, program.calendar);
  }
  const deadlineMs = instantAt(plusDays(lastDay, 1), '00:00', program.timeZone).toMillis();
  return lastDay === ruleLastDay ? { lastDay, deadlineMs } : { lastDay, shiftedFrom: ruleLastDay, deadlineMs };
}

const ROMAN = ['I', 'II', 'III', 'IV'];

interface RoundSpec {
  roundKey: string;
  kind: RoundKind;
  quarter?: number;
  title: LocalizedText;
  responsible: Responsible;
  rule: DueDateRule;
  reminderOffsets?: number[];
}

function roundSpecs(program: ScheduleView, year: number): RoundSpec[] {
  const r = program.rounds;
  const specs: RoundSpec[] = [];
  const add = (
    key: string,
    kind: RoundKind,
    responsible: Responsible,
    round: { enabled: boolean; title: LocalizedText; due: DueDateRule; reminderOffsets?: number[] | undefined },
  ) => {
    if (round.enabled)
      specs.push({ roundKey: `${year}-${key}`, kind, title: round.title, responsible, rule: round.due, ...(round.reminderOffsets ? { reminderOffsets: round.reminderOffsets } : {}) });
  };
  add('plan', 'annual-plan', 'reporting-units', r.annualPlan);
  add('appraisal', 'budget-appraisal', 'appraiser', r.budgetAppraisal);
  add('approval', 'plan-approval', 'approving-authority', r.approval);
  const q = r.quarterly;
  if (q.enabled) {
    for (let quarter = 1; quarter <= 4; quarter++) {
      specs.push({
        roundKey: `${year}-Q${quarter}`,
        kind: 'quarterly-report',
        quarter,
        title: { vi: `${q.title.vi} quý ${ROMAN[quarter - 1]}/${year}`, en: `${q.title.en}, Q${quarter} ${year}` },
        responsible: 'reporting-units',
        rule: { month: (quarter - 1) * 3 + q.monthOfQuarter, day: q.day, yearOffset: 0, cutoff: q.cutoff },
        ...(q.reminderOffsets ? { reminderOffsets: q.reminderOffsets } : {}),
      });
    }
  }
  if (program.reviews.preliminaryYears.includes(year))
    add('preliminary-review', 'preliminary-review', 'reporting-units', r.preliminaryReview);
  if (program.reviews.finalYear === year) add('final-review', 'final-review', 'reporting-units', r.finalReview);
  return specs;
}

/** One round of any kind, scheduled: deadline plus its reminders and escalations. */
function scheduleRound(program: ScheduleView, year: number, spec: RoundSpec): ScheduledRound {
  const d = computeDeadline(spec.rule, year, program);
  const notices = planNotices(d.deadlineMs, noticeRulesOf(program, spec.reminderOffsets));
  return {
    roundKey: spec.roundKey,
    kind: spec.kind,
    cycleYear: year,
    ...(spec.quarter !== undefined ? { quarter: spec.quarter } : {}),
    title: spec.title,
    responsible: spec.responsible,
    lastDay: d.lastDay,
    ...(d.shiftedFrom !== undefined ? { shiftedFrom: d.shiftedFrom } : {}),
    deadline: formatInstant(d.deadlineMs, program.timeZone),
    deadlineMs: d.deadlineMs,
    ...notices,
  };
}

/**
 * Every round of cycle year `year`, in deadline order: the annual plan and budget estimate (due, by
 * default, in December of the year before), its appraisal and approval, the four quarterly reports, and
 * a preliminary or final review when the program holds one that year. Years outside the program period
 * are computed by the same rules; `inPeriod` tells the caller.
 */
export function computeYearSchedule(program: ScheduleView, year: number): YearSchedule {
  if (!Number.isInteger(year)) throw new RangeError(`year must be a whole number, got ${year}`);
  const rounds = roundSpecs(program, year)
    .map((spec) => scheduleRound(program, year, spec))
    .sort((a, b) => a.deadlineMs - b.deadlineMs);
  return {
    programId: program.id,
    year,
    timeZone: program.timeZone,
    inPeriod: year >= program.period.firstYear && year <= program.period.lastYear,
    rounds,
  };
}

/** The round with `roundKey` (e.g. "2015-Q1"), or undefined when the program has no such round. */
export function findRound(program: ScheduleView, roundKey: string): ScheduledRound | undefined {
  const year = Number(/^(\d{4})-/.exec(roundKey)?.[1]);
  if (!Number.isInteger(year)) return undefined;
  return computeYearSchedule(program, year).rounds.find((r) => r.roundKey === roundKey);
}
