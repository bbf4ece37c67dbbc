import fc from 'fast-check';
import { julianDayFromDate, dateFromJulianDay, lunarToSolar, solarToLunar } from '../../domain/calendar/lunar';

const iso = (d: { year: number; month: number; day: number } | undefined) =>
  d ? `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}` : 'none';

/**
 * Published Vietnamese dates (lịch Việt Nam, UTC+7). 2030 is a year where Vietnam and China differ: the
 * new moon is at 16:07 UTC on 2 Feb, 23:07 in Hà Nội but 00:07 on 3 Feb in Beijing, so Tết Canh Tuất is
 * 2 Feb 2030 in Vietnam (3 Feb is the Chinese New Year).
 */
const KNOWN: Array<[number, string, string]> = [
  // year, Tết (1/1 lunar), Hùng Kings' Day (10/3 lunar)
  [2014, '2014-01-31', '2014-04-09'],
  [2015, '2015-02-19', '2015-04-28'],
  [2016, '2016-02-08', '2016-04-16'],
  [2017, '2017-01-28', '2017-04-06'],
  [2018, '2018-02-16', '2018-04-25'],
  [2019, '2019-02-05', '2019-04-14'],
  [2020, '2020-01-25', '2020-04-02'],
  [2021, '2021-02-12', '2021-04-21'],
  [2022, '2022-02-01', '2022-04-10'],
  [2023, '2023-01-22', '2023-04-29'],
  [2024, '2024-02-10', '2024-04-18'],
  [2025, '2025-01-29', '2025-04-07'],
  [2026, '2026-02-17', '2026-04-26'],
  [2027, '2027-02-06', '2027-04-16'],
  [2028, '2028-01-26', '2028-04-04'],
  [2029, '2029-02-13', '2029-04-23'],
  [2030, '2030-02-02', '2030-04-12'],
];

describe('Vietnamese lunar calendar', () => {
  test.each(KNOWN)('%i: Tết %s, Hùng Kings %s', (year, tet, hung) => {
    expect(iso(lunarToSolar({ year, month: 1, day: 1, leap: false }))).toBe(tet);
    expect(iso(lunarToSolar({ year, month: 3, day: 10, leap: false }))).toBe(hung);
  });

  test('uses the UTC+7 meridian, not Beijing time, where the two calendars differ', () => {
    expect(iso(lunarToSolar({ year: 1985, month: 1, day: 1, leap: false }))).toBe('1985-01-21');
    expect(iso(lunarToSolar({ year: 1985, month: 1, day: 1, leap: false }, 8))).toBe('1985-02-20');
    expect(iso(lunarToSolar({ year: 2007, month: 1, day: 1, leap: false }))).toBe('2007-02-17');
    expect(iso(lunarToSolar({ year: 2007, month: 1, day: 1, leap: false }, 8))).toBe('2007-02-18');
    expect(iso(lunarToSolar({ year: 2030, month: 1, day: 1, leap: false }, 8))).toBe('2030-02-03');
  });

  test('knows leap months: 2020 repeated month 4, 2023 repeated month 2', () => {
    expect(iso(lunarToSolar({ year: 2020, month: 4, day: 1, leap: true }))).toBe('2020-05-23');
    expect(iso(lunarToSolar({ year: 2023, month: 2, day: 1, leap: true }))).toBe('2023-03-22');
    expect(lunarToSolar({ year: 2020, month: 5, day: 1, leap: true })).toBeUndefined();
    expect(lunarToSolar({ year: 2022, month: 2, day: 1, leap: true })).toBeUndefined();
  });

  test('Julian day numbers round-trip', () => {
    expect(julianDayFromDate(1, 1, 2000)).toBe(2451545);
    fc.assert(
      fc.property(fc.integer({ min: 2415021, max: 2488070 }), (jd) => {
        const d = dateFromJulianDay(jd);
        return julianDayFromDate(d.day, d.month, d.year) === jd;
      }),
    );
  });

  test('solar → lunar → solar is the identity (1950–2100)', () => {
    fc.assert(
      fc.property(fc.integer({ min: julianDayFromDate(1, 1, 1950), max: julianDayFromDate(31, 12, 2100) }), (jd) => {
        const solar = dateFromJulianDay(jd);
        const lunar = solarToLunar(solar);
        expect(iso(lunarToSolar(lunar))).toBe(iso(solar));
      }),
      { numRuns: 300 },
    );
  });
});
