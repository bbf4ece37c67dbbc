import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  computeDeadline,
  computeYearSchedule,
  findRound,
  isWorkingDay,
  localDateOf,
  noticeRulesOf,
  planNotices,
  scheduledRoundSchema,
} from '../../domain/calendar';
import { loadProgramFile } from '../../domain/program/load-file';
import { parseProgram, type Program } from '../../domain/program';

const program = loadProgramFile();
const ZONE = 'Asia/Ho_Chi_Minh';

function withCalendar(p: Program, deadlineOnNonWorkingDay: Program['calendar']['deadlineOnNonWorkingDay']): Program {
  return { ...p, calendar: { ...p.calendar, deadlineOnNonWorkingDay } };
}

describe('year schedule of Decision 925', () => {
  const schedule = computeYearSchedule(program, 2015);
  const round = (key: string) => {
    const r = schedule.rounds.find((x) => x.roundKey === key);
    if (!r) throw new Error(`no round ${key}`);
    return r;
  };

  test('2015 has plan, appraisal, approval and four quarterly rounds, in deadline order', () => {
    expect(schedule.rounds.map((r) => r.roundKey)).toEqual([
      '2015-plan',
      '2015-appraisal',
      '2015-approval',
      '2015-Q1',
      '2015-Q2',
      '2015-Q3',
      '2015-Q4',
    ]);
    expect(schedule.inPeriod).toBe(true);
    for (const r of schedule.rounds) expect(scheduledRoundSchema.parse(r)).toEqual(r);
  });

  test('quarterly deadlines: 00:00 on the 25th of the quarter’s last month, +07:00', () => {
    expect(['2015-Q1', '2015-Q2', '2015-Q3', '2015-Q4'].map((k) => round(k).deadline)).toEqual([
      '2015-03-25T00:00:00+07:00',
      '2015-06-25T00:00:00+07:00',
      '2015-09-25T00:00:00+07:00',
      '2015-12-25T00:00:00+07:00',
    ]);
    expect(round('2015-Q1').deadlineMs).toBe(Date.UTC(2015, 2, 24, 17, 0, 0));
    expect(round('2015-Q1').lastDay).toBe('2015-03-24');
  });

  test('Q1 2015 reminders at 08:00, 7/3/1 working days before; escalations +1/+3 working days', () => {
    const q1 = round('2015-Q1');
    expect(q1.reminders.map((r) => [r.offsetWorkingDays, r.at])).toEqual([
      [7, '2015-03-16T08:00:00+07:00'],
      [3, '2015-03-20T08:00:00+07:00'],
      [1, '2015-03-24T08:00:00+07:00'],
    ]);
    expect(q1.reminders[2]?.atMs).toBe(Date.UTC(2015, 2, 24, 1, 0, 0));
    expect(q1.escalations).toEqual([
      { step: 1, afterWorkingDays: 1, recipients: ['head'], at: '2015-03-26T08:00:00+07:00', atMs: Date.UTC(2015, 2, 26, 1) },
      {
        step: 2,
        afterWorkingDays: 3,
        recipients: ['coordinator', 'escalation-recipients'],
        at: '2015-03-30T08:00:00+07:00',
        atMs: Date.UTC(2015, 2, 30, 1),
      },
    ]);
  });

  test('Q3 2015: the 2 September holiday is skipped when counting back', () => {
    expect(round('2015-Q3').reminders.map((r) => r.at.slice(0, 10))).toEqual(['2015-09-16', '2015-09-22', '2015-09-24']);
  });

  test('annual plan for 2015 is due by 15 December 2014; appraisal by 15 January; approval by 31 January', () => {
    expect(round('2015-plan').deadline).toBe('2014-12-16T00:00:00+07:00');
    expect(round('2015-plan').lastDay).toBe('2014-12-15');
    expect(round('2015-appraisal').deadline).toBe('2015-01-16T00:00:00+07:00');
    expect(round('2015-approval').deadline).toBe('2015-02-01T00:00:00+07:00');
    expect(round('2015-appraisal').responsible).toBe('appraiser');
    expect(round('2015-approval').responsible).toBe('approving-authority');
  });

  test('review years add their round; other years do not', () => {
    expect(computeYearSchedule(program, 2017).rounds.map((r) => r.roundKey)).toContain('2017-preliminary-review');
    expect(computeYearSchedule(program, 2020).rounds.map((r) => r.roundKey)).toContain('2020-final-review');
    expect(computeYearSchedule(program, 2016).rounds.map((r) => r.kind)).not.toContain('preliminary-review');
    expect(findRound(program, '2020-final-review')?.deadline).toBe('2020-12-01T00:00:00+07:00');
    expect(findRound(program, '2015-Q5')).toBeUndefined();
  });

  test('a year outside the period is computed by the same rules and flagged', () => {
    const s = computeYearSchedule(program, 2031);
    expect(s.inPeriod).toBe(false);
    expect(s.rounds.find((r) => r.roundKey === '2031-Q1')?.deadline).toBe('2031-03-25T00:00:00+07:00');
  });
});

describe('deadline on a non-working day', () => {
  // Q4 2016: "before 25 December" makes Saturday 24 December the last day.
  const rule = { month: 12, day: 25, yearOffset: 0, cutoff: 'start-of-day' as const };

  test('keep (default): the decision’s wording', () => {
    expect(computeDeadline(rule, 2016, program)).toEqual({ lastDay: '2016-12-24', deadlineMs: Date.UTC(2016, 11, 24, 17) });
  });
  test('previous-working-day: Friday 23rd is the last day', () => {
    const d = computeDeadline(rule, 2016, withCalendar(program, 'previous-working-day'));
    expect(d).toEqual({ lastDay: '2016-12-23', shiftedFrom: '2016-12-24', deadlineMs: Date.UTC(2016, 11, 23, 17) });
  });
  test('next-working-day (Civil Code): Monday 26th is the last day, deadline 00:00 on the 27th', () => {
    const d = computeDeadline(rule, 2016, withCalendar(program, 'next-working-day'));
    expect(d).toEqual({ lastDay: '2016-12-26', shiftedFrom: '2016-12-24', deadlineMs: Date.UTC(2016, 11, 26, 17) });
  });
});

describe('ad hoc deadlines', () => {
  test('planNotices works for any instant and offsets, e.g. an extension to 17:00 on Tết eve', () => {
    const deadline = DateTime.fromISO('2015-02-17T17:00', { zone: ZONE }).toMillis();
    const plan = planNotices(deadline, noticeRulesOf(program, [2, 1, 2]));
    // The published 2015 schedule (prisma/calendars/vn-civil-service.yaml): off Mon 16 – Mon 23 Feb,
    // Saturday 14 Feb worked in exchange for the 16th, so the last reminder goes out that Saturday.
    expect(plan.reminders.map((r) => [r.offsetWorkingDays, r.at])).toEqual([
      [2, '2015-02-13T08:00:00+07:00'],
      [1, '2015-02-14T08:00:00+07:00'],
    ]);
    // The first working day after Tết is Tue 24 Feb; the third, Thu 26 Feb.
    expect(plan.escalations.map((e) => e.at)).toEqual(['2015-02-24T08:00:00+07:00', '2015-02-26T08:00:00+07:00']);
    // With the statutory computation alone (Tết 18–24 Feb with compensation) they would be 25 and 27 Feb.
    const computedOnly = planNotices(deadline, { ...noticeRulesOf(program, [2, 1, 2]), calendar: { ...program.calendar, overrides: [] } });
    expect(computedOnly.reminders.map((r) => r.at)).toEqual(['2015-02-13T08:00:00+07:00', '2015-02-16T08:00:00+07:00']);
    expect(computedOnly.escalations.map((e) => e.at)).toEqual(['2015-02-25T08:00:00+07:00', '2015-02-27T08:00:00+07:00']);
  });

  test('the configured local time is honoured', () => {
    const parsed = parseProgram({
      ...JSON.parse(JSON.stringify(program)),
      reminders: { offsetsWorkingDays: [1], at: '14:30' },
      escalation: { at: '09:15', steps: [{ afterWorkingDays: 2, notify: ['head'] }] },
    });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const q1 = computeYearSchedule(parsed.program, 2015).rounds.find((r) => r.roundKey === '2015-Q1');
    expect(q1?.reminders.map((r) => r.at)).toEqual(['2015-03-24T14:30:00+07:00']);
    expect(q1?.escalations.map((e) => e.at)).toEqual(['2015-03-27T09:15:00+07:00']);
  });
});

describe('schedule properties', () => {
  const policies = fc.constantFrom('keep', 'previous-working-day', 'next-working-day' as const);
  const years = fc.integer({ min: 1990, max: 2060 });

  test('every reminder is before its deadline, on a working day, at the configured local time', () => {
    fc.assert(
      fc.property(years, policies, (year, policy) => {
        const p = withCalendar(program, policy as Program['calendar']['deadlineOnNonWorkingDay']);
        for (const r of computeYearSchedule(p, year).rounds) {
          for (const rem of r.reminders) {
            expect(rem.atMs).toBeLessThan(r.deadlineMs);
            expect(isWorkingDay(localDateOf(rem.atMs, ZONE), p.calendar)).toBe(true);
            expect(DateTime.fromMillis(rem.atMs, { zone: ZONE }).toFormat('HH:mm')).toBe(p.reminders.at);
            expect(rem.at.endsWith('+07:00')).toBe(true);
          }
          for (const esc of r.escalations) {
            expect(esc.atMs).toBeGreaterThan(r.deadlineMs);
            expect(isWorkingDay(localDateOf(esc.atMs, ZONE), p.calendar)).toBe(true);
            expect(DateTime.fromMillis(esc.atMs, { zone: ZONE }).toFormat('HH:mm')).toBe(p.escalation.at);
          }
          const reminderTimes = r.reminders.map((x) => x.atMs);
          expect([...reminderTimes].sort((a, b) => a - b)).toEqual(reminderTimes);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('every quarterly deadline is in the last month of its quarter', () => {
    fc.assert(
      fc.property(years, policies, (year, policy) => {
        const p = withCalendar(program, policy as Program['calendar']['deadlineOnNonWorkingDay']);
        const quarterly = computeYearSchedule(p, year).rounds.filter((r) => r.kind === 'quarterly-report');
        expect(quarterly).toHaveLength(4);
        for (const r of quarterly) {
          const local = DateTime.fromMillis(r.deadlineMs, { zone: ZONE });
          expect(local.year).toBe(year);
          expect(local.month).toBe((r.quarter ?? 0) * 3);
          if (policy !== 'keep') expect(isWorkingDay(r.lastDay, p.calendar)).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('reminders and escalations of arbitrary deadlines keep their side of the deadline', () => {
    const start = Date.UTC(2000, 0, 1);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 * 365 * 24 * 60 }).map((min) => start + min * 60_000),
        fc.uniqueArray(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 4 }),
        (deadlineMs, offsets) => {
          const plan = planNotices(deadlineMs, noticeRulesOf(program, offsets));
          for (const r of plan.reminders) expect(r.atMs).toBeLessThan(deadlineMs);
          for (const e of plan.escalations) expect(e.atMs).toBeGreaterThan(deadlineMs);
        },
      ),
    );
  });
});
