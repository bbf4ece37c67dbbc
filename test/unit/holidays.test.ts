import fc from 'fast-check';
import { calendarPolicySchema, holidaysForYear, isWorkingDay, plusDays } from '../../domain/calendar';

const policy = calendarPolicySchema.parse({});
const dates = (year: number, p = policy) => holidaysForYear(year, p).map((h) => h.date);

describe('public holidays', () => {
  test('2015: statutory days, Tết (30 Tết + mùng 1–4) and compensation for the weekend ones', () => {
    expect(holidaysForYear(2015, policy).map((h) => `${h.date} ${h.kind}`)).toEqual([
      '2015-01-01 statutory',
      '2015-02-18 statutory',
      '2015-02-19 statutory',
      '2015-02-20 statutory',
      '2015-02-21 statutory',
      '2015-02-22 statutory',
      '2015-02-23 compensatory',
      '2015-02-24 compensatory',
      '2015-04-28 statutory',
      '2015-04-30 statutory',
      '2015-05-01 statutory',
      '2015-09-02 statutory',
    ]);
  });

  test('the 2 September adjacent day follows the government choices of 2021–2025 and starts in 2021', () => {
    const sep = (year: number) => dates(year).filter((d) => d.startsWith(`${year}-09-0`));
    expect(sep(2020)).toEqual(['2020-09-02']);
    expect(sep(2021)).toEqual(['2021-09-02', '2021-09-03']);
    expect(sep(2022)).toEqual(['2022-09-01', '2022-09-02']);
    expect(sep(2023)).toEqual(['2023-09-01', '2023-09-02', '2023-09-04']); // 2 Sep a Saturday: Monday off
    expect(sep(2024)).toEqual(['2024-09-02', '2024-09-03']);
    expect(sep(2025)).toEqual(['2025-09-01', '2025-09-02']);
  });

  test('fixed rules before/after/none', () => {
    const with_ = (rule: string) => calendarPolicySchema.parse({ statutoryHolidays: { nationalDayAdjacent: { rule, fromYear: 2000 } } });
    expect(dates(2025, with_('after'))).toContain('2025-09-03');
    expect(dates(2025, with_('before'))).toContain('2025-09-01');
    expect(dates(2025, with_('none')).filter((d) => d.startsWith('2025-09'))).toEqual(['2025-09-02']);
  });

  test('a holiday on Sunday 1 January gives Monday 2 January', () => {
    expect(dates(2017)).toEqual(expect.arrayContaining(['2017-01-01', '2017-01-02']));
  });

  test('overrides add, remove, replace and make weekend days working days', () => {
    const p = calendarPolicySchema.parse({
      overrides: [
        { year: 2015, add: [{ date: '2015-02-16' }, { date: '2015-02-17' }], remove: ['2015-02-24'], workingDays: ['2015-02-28'] },
        { year: 2016, replace: [{ date: '2016-01-01', name: { vi: 'Tết Dương lịch', en: "New Year's Day" } }] },
      ],
    });
    expect(dates(2015, p)).toEqual(expect.arrayContaining(['2015-02-16', '2015-02-17', '2015-02-23']));
    expect(dates(2015, p)).not.toContain('2015-02-24');
    expect(isWorkingDay('2015-02-24', p)).toBe(true);
    expect(isWorkingDay('2015-02-28', p)).toBe(true); // a Saturday worked in exchange
    expect(isWorkingDay('2015-02-28', policy)).toBe(false);
    expect(dates(2016, p)).toEqual(['2016-01-01']);
    expect(isWorkingDay('2016-02-08', p)).toBe(true);
  });

  test('every year has the statutory count: 11 days (from 2021) before compensation', () => {
    for (let year = 2014; year <= 2040; year++) {
      const statutory = holidaysForYear(year, policy).filter((h) => h.kind === 'statutory');
      expect(statutory).toHaveLength(year >= 2021 ? 11 : 10);
    }
  });

  test('holidays are never working days', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1990, max: 2100 }), (year) => {
        for (const h of holidaysForYear(year, policy)) expect(isWorkingDay(h.date, policy)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  test('compensation days follow a weekend holiday and are weekdays', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2060 }), (year) => {
        for (const h of holidaysForYear(year, policy).filter((x) => x.kind === 'compensatory')) {
          const weekday = new Date(`${h.date}T00:00:00Z`).getUTCDay();
          expect([0, 6]).not.toContain(weekday);
          expect(holidaysForYear(year, policy).some((x) => x.date < h.date && x.date >= plusDays(h.date, -12))).toBe(true);
        }
      }),
      { numRuns: 30 },
    );
  });
});
