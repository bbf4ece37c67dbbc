/**
 * Vietnamese lunisolar calendar (âm lịch), after Hồ Ngọc Đức's published algorithm
 * ("Computing the Vietnamese lunar calendar"), computed for the meridian of UTC+7.
 *
 * Why our own code rather than an npm package: the Chinese-calendar packages on npm compute new moons
 * and solar terms for UTC+8 (Beijing), which puts a new moon on a different civil day in some years
 * (Tết 1985 and 2007 differ between the two countries), and adding a dependency is not ours to do in
 * this module. Hồ Ngọc Đức's algorithm is the reference the Vietnamese calendars are checked against;
 * it is plain arithmetic (no fs, no native code, no clock), so it runs unchanged in Temporal's workflow
 * sandbox and always gives the same answer.
 *
 * Julian day numbers here are integers naming civil days; astronomical times are fractional JDs (UT).
 */

/** Vietnam's civil time offset in hours; the calendar is defined for this meridian. */
export const VIETNAM_UTC_OFFSET_HOURS = 7;

export interface LunarDate {
  day: number;
  month: number;
  /** The lunar year, which starts at Tết and so differs from the Gregorian year in January/February. */
  year: number;
  /** True for the intercalary month (tháng nhuận) that repeats `month`. */
  leap: boolean;
}

export interface SolarDate {
  year: number;
  month: number;
  day: number;
}

const floor = Math.floor;
const SYNODIC_MONTH = 29.530588853;
/** JD of the new moon of 1 Jan 1900 (13:51 GMT), the epoch of the new-moon index k. */
const NEW_MOON_EPOCH = 2415021.076998695;

export function julianDayFromDate(day: number, month: number, year: number): number {
  const a = floor((14 - month) / 12);
  const y = year + 4800 - a;
  const m = month + 12 * a - 3;
  const jd = day + floor((153 * m + 2) / 5) + 365 * y + floor(y / 4) - floor(y / 100) + floor(y / 400) - 32045;
  // Dates before the Gregorian reform are Julian-calendar dates.
  if (jd < 2299161) return day + floor((153 * m + 2) / 5) + 365 * y + floor(y / 4) - 32083;
  return jd;
}

export function dateFromJulianDay(jd: number): SolarDate {
  let b: number;
  let c: number;
  if (jd > 2299160) {
    const a = jd + 32044;
    b = floor((4 * a + 3) / 146097);
    c = a - floor((b * 146097) / 4);
  } else {
    b = 0;
    c = jd + 32082;
  }
  const d = floor((4 * c + 3) / 1461);
  const e = c - floor((1461 * d) / 4);
  const m = floor((5 * e + 2) / 153);
  return {
    day: e - floor((153 * m + 2) / 5) + 1,
    month: m + 3 - 12 * floor(m / 10),
    year: b * 100 + d - 4800 + floor(m / 10),
  };
}

/** Time (fractional JD, UT) of the k-th new moon after the 1900 epoch; Meeus' low-precision series. */
function newMoonTime(k: number): number {
  const T = k / 1236.85;
  const T2 = T * T;
  const T3 = T2 * T;
  const dr = Math.PI / 180;
  let jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd1 += 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * dr);
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3;
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3;
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3;
  let c1 = (0.1734 - 0.000393 * T) * Math.sin(M * dr) + 0.0021 * Math.sin(2 * dr * M);
  c1 = c1 - 0.4068 * Math.sin(Mpr * dr) + 0.0161 * Math.sin(dr * 2 * Mpr);
  c1 = c1 - 0.0004 * Math.sin(dr * 3 * Mpr);
  c1 = c1 + 0.0104 * Math.sin(dr * 2 * F) - 0.0051 * Math.sin(dr * (M + Mpr));
  c1 = c1 - 0.0074 * Math.sin(dr * (M - Mpr)) + 0.0004 * Math.sin(dr * (2 * F + M));
  c1 = c1 - 0.0004 * Math.sin(dr * (2 * F - M)) - 0.0006 * Math.sin(dr * (2 * F + Mpr));
  c1 = c1 + 0.001 * Math.sin(dr * (2 * F - Mpr)) + 0.0005 * Math.sin(dr * (2 * Mpr + M));
  const deltaT =
    T < -11
      ? 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3
      : -0.000278 + 0.000265 * T + 0.000262 * T2;
  return jd1 + c1 - deltaT;
}

/** Sun's ecliptic longitude in radians [0, 2π) at fractional JD `jdn` (UT). */
function sunLongitude(jdn: number): number {
  const T = (jdn - 2451545.0) / 36525;
  const T2 = T * T;
  const dr = Math.PI / 180;
  const M = 357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2;
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2;
  let DL = (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(dr * M);
  DL = DL + (0.019993 - 0.000101 * T) * Math.sin(dr * 2 * M) + 0.00029 * Math.sin(dr * 3 * M);
  let L = (L0 + DL) * dr;
  L = L - Math.PI * 2 * floor(L / (Math.PI * 2));
  return L;
}

/** Which of the 12 major solar-term sectors (0..11, 30° each) the sun is in at the start of a civil day. */
function sunSector(dayNumber: number, tz: number): number {
  return floor((sunLongitude(dayNumber - 0.5 - tz / 24) / Math.PI) * 6);
}

/** Civil day (JD number) on which the k-th new moon falls in zone UTC+tz. */
function newMoonDay(k: number, tz: number): number {
  return floor(newMoonTime(k) + 0.5 + tz / 24);
}

/** Start of the 11th lunar month (the one containing the winter solstice) for Gregorian year `year`. */
function lunarMonth11(year: number, tz: number): number {
  const off = julianDayFromDate(31, 12, year) - 2415021;
  const k = floor(off / SYNODIC_MONTH);
  const nm = newMoonDay(k, tz);
  // If that month already starts after the sun passed 270° it is month 12's; step back one.
  return sunSector(nm, tz) >= 9 ? newMoonDay(k - 1, tz) : nm;
}

/** Offset (in months after month 11 starting at a11) of the leap month: the first without a major term. */
function leapMonthOffset(a11: number, tz: number): number {
  const k = floor((a11 - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5);
  let last: number;
  let i = 1;
  let arc = sunSector(newMoonDay(k + i, tz), tz);
  do {
    last = arc;
    i++;
    arc = sunSector(newMoonDay(k + i, tz), tz);
  } while (arc !== last && i < 14);
  return i - 1;
}

export function solarToLunar(date: SolarDate, tz: number = VIETNAM_UTC_OFFSET_HOURS): LunarDate {
  const dayNumber = julianDayFromDate(date.day, date.month, date.year);
  const k = floor((dayNumber - NEW_MOON_EPOCH) / SYNODIC_MONTH);
  let monthStart = newMoonDay(k + 1, tz);
  if (monthStart > dayNumber) monthStart = newMoonDay(k, tz);
  let a11 = lunarMonth11(date.year, tz);
  let b11 = a11;
  let lunarYear: number;
  if (a11 >= monthStart) {
    lunarYear = date.year;
    a11 = lunarMonth11(date.year - 1, tz);
  } else {
    lunarYear = date.year + 1;
    b11 = lunarMonth11(date.year + 1, tz);
  }
  const lunarDay = dayNumber - monthStart + 1;
  const diff = floor((monthStart - a11) / 29);
  let leap = false;
  let lunarMonth = diff + 11;
  if (b11 - a11 > 365) {
    const leapDiff = leapMonthOffset(a11, tz);
    if (diff >= leapDiff) {
      lunarMonth = diff + 10;
      if (diff === leapDiff) leap = true;
    }
  }
  if (lunarMonth > 12) lunarMonth -= 12;
  if (lunarMonth >= 11 && diff < 4) lunarYear -= 1;
  return { day: lunarDay, month: lunarMonth, year: lunarYear, leap };
}

/**
 * The Gregorian date of a lunar date, or `undefined` when it does not exist (a leap month asked for in a
 * year whose leap month is another one, or day 30 of a 29-day month).
 */
export function lunarToSolar(lunar: LunarDate, tz: number = VIETNAM_UTC_OFFSET_HOURS): SolarDate | undefined {
  let a11: number;
  let b11: number;
  if (lunar.month < 11) {
    a11 = lunarMonth11(lunar.year - 1, tz);
    b11 = lunarMonth11(lunar.year, tz);
  } else {
    a11 = lunarMonth11(lunar.year, tz);
    b11 = lunarMonth11(lunar.year + 1, tz);
  }
  const k = floor(0.5 + (a11 - NEW_MOON_EPOCH) / SYNODIC_MONTH);
  let off = lunar.month - 11;
  if (off < 0) off += 12;
  if (b11 - a11 > 365) {
    const leapOff = leapMonthOffset(a11, tz);
    let leapMonth = leapOff - 2;
    if (leapMonth < 0) leapMonth += 12;
    if (lunar.leap && lunar.month !== leapMonth) return undefined;
    if (lunar.leap || off >= leapOff) off += 1;
  } else if (lunar.leap) {
    return undefined;
  }
  const monthStart = newMoonDay(k + off, tz);
  const result = dateFromJulianDay(monthStart + lunar.day - 1);
  const check = solarToLunar(result, tz);
  if (check.day !== lunar.day || check.month !== lunar.month || check.leap !== lunar.leap) return undefined;
  return result;
}
