import fc from 'fast-check';
import {
  addWorkingDays,
  calendarPolicySchema,
  countWorkingDays,
  isoDate,
  isWorkingDay,
  nextWorkingDay,
  plusDays,
  previousWorkingDay,
} from '../../domain/calendar';

const policy = calendarPolicySchema.parse({});

/** Any civil day from 2000 to 2060. */
const anyDay = fc.integer({ min: 0, max: 61 * 366 }).map((n) => plusDays('2000-01-01', n));
const workingDay = anyDay.map((d) => (isWorkingDay(d, policy) ? d : nextWorkingDay(d, policy)));

describe('working days', () => {
  test('weekends and holidays are not working days', () => {
    expect(isWorkingDay('2015-03-24', policy)).toBe(true); // Tuesday
    expect(isWorkingDay('2015-03-28', policy)).toBe(false); // Saturday
    expect(isWorkingDay('2015-03-29', policy)).toBe(false); // Sunday
    expect(isWorkingDay('2015-02-19', policy)).toBe(false); // Tết
    expect(isWorkingDay('2015-04-28', policy)).toBe(false); // Hùng Kings
  });

  test('next/previous skip Tết 2015 (18–24 Feb with compensation)', () => {
    expect(nextWorkingDay('2015-02-17', policy)).toBe('2015-02-25');
    expect(previousWorkingDay('2015-02-25', policy)).toBe('2015-02-17');
    expect(addWorkingDays('2015-02-16', 2, policy)).toBe('2015-02-25');
    expect(addWorkingDays('2015-02-25', -2, policy)).toBe('2015-02-16');
  });

  test('offset 0 is the day itself; the start day never counts', () => {
    expect(addWorkingDays('2015-03-28', 0, policy)).toBe('2015-03-28');
    expect(addWorkingDays('2015-03-28', 1, policy)).toBe('2015-03-30'); // Sat → Mon
    expect(addWorkingDays('2015-03-28', -1, policy)).toBe('2015-03-27'); // Sat → Fri
  });

  test('rejects fractional offsets and bad dates with a reason', () => {
    expect(() => addWorkingDays('2015-03-02', 1.5, policy)).toThrow(/whole number/);
    expect(() => isWorkingDay('2015-3-2', policy)).toThrow(/YYYY-MM-DD/);
  });

  test('a year has the expected number of working days (2015: 365 − 104 weekend days − 10 weekday holidays)', () => {
    expect(countWorkingDays(isoDate(2015, 1, 1), isoDate(2015, 12, 31), policy)).toBe(365 - 104 - 10);
  });

  test('addWorkingDays round-trips from any working day', () => {
    fc.assert(
      fc.property(workingDay, fc.integer({ min: -40, max: 40 }), (d, n) => {
        expect(addWorkingDays(addWorkingDays(d, n, policy), -n, policy)).toBe(d);
      }),
    );
  });

  test('addWorkingDays lands on a working day, on the right side, with exactly |n| working days in between', () => {
    fc.assert(
      fc.property(anyDay, fc.integer({ min: 1, max: 30 }), (d, n) => {
        const after = addWorkingDays(d, n, policy);
        const before = addWorkingDays(d, -n, policy);
        expect(isWorkingDay(after, policy) && isWorkingDay(before, policy)).toBe(true);
        expect(after > d && before < d).toBe(true);
        expect(countWorkingDays(plusDays(d, 1), after, policy)).toBe(n);
        expect(countWorkingDays(before, plusDays(d, -1), policy)).toBe(n);
      }),
    );
  });

  test('next/previous working day are adjacent working days', () => {
    fc.assert(
      fc.property(anyDay, (d) => {
        const next = nextWorkingDay(d, policy);
        const prev = previousWorkingDay(d, policy);
        expect(countWorkingDays(plusDays(d, 1), next, policy)).toBe(1);
        expect(countWorkingDays(prev, plusDays(d, -1), policy)).toBe(1);
      }),
    );
  });
});
