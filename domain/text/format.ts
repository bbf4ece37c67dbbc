import { DateTime } from 'luxon';
import { isLate, lastDayToSubmit } from '../round/lateness';

/**
 * Words and numbers that mail templates and web pages show, per language: instants as local date and time with the
 * weekday (always in the program's time zone, never the worker's), durations, amounts of money.
 * Vietnamese weekday names come from a table rather than the platform's ICU data, so "Thứ Hai" …
 * "Chủ Nhật" are spelled the same on every machine.
 */
export type Language = 'vi' | 'en';

const VI_WEEKDAYS = ['Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy', 'Chủ Nhật'] as const;

/** An instant as templates use it. */
export interface When {
  /** e.g. "00:00 Thứ Tư, 25/03/2015" / "00:00, Wednesday 25 March 2015" */
  dateTime: string;
  /** e.g. "Thứ Tư, 25/03/2015" / "Wednesday 25 March 2015" */
  day: string;
  /** "Thứ Tư" / "Wednesday" */
  weekday: string;
  /** "25/03/2015" / "25 March 2015" */
  date: string;
  /** "00:00" (24-hour, local) */
  time: string;
  /**
   * The last day on which the deadline can still be met: the day before when the instant is at 00:00
   * ("before the 25th" is 00:00 on the 25th, so the 24th is the last day), else the same day.
   */
  lastDay: string;
  /**
   * The same day, short, for subjects and other one-line texts: "thứ Ba 24/3/2015" / "Tue 24 Mar 2015".
   * A subject names this day, never the deadline's date alone ("hạn nộp 25/03" reads as "the 25th is fine").
   */
  lastDayShort: string;
  /** The instant, ISO 8601 with the local offset: "2015-03-25T00:00:00.000+07:00". */
  iso: string;
}

// Fixed tables, not ICU: "Sept" or "Sep" must not depend on the machine's ICU version.
const VI_WEEKDAYS_SHORT = ['thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy', 'Chủ nhật'] as const;
const EN_WEEKDAYS_SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const EN_MONTHS_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** "thứ Tư 9/12/2026" / "Wed 9 Dec 2026": a day in one short phrase. */
export function shortDay(dt: DateTime, language: Language): string {
  return language === 'vi'
    ? `${VI_WEEKDAYS_SHORT[dt.weekday - 1]!} ${dt.day}/${dt.month}/${dt.year}`
    : `${EN_WEEKDAYS_SHORT[dt.weekday - 1]!} ${dt.day} ${EN_MONTHS_SHORT[dt.month - 1]!} ${dt.year}`;
}

export function weekdayName(dt: DateTime, language: Language): string {
  return language === 'vi' ? VI_WEEKDAYS[dt.weekday - 1]! : dt.setLocale('en-GB').toFormat('cccc');
}

function dayText(dt: DateTime, language: Language): string {
  return language === 'vi' ? `${weekdayName(dt, 'vi')}, ${dt.toFormat('dd/MM/yyyy')}` : `${weekdayName(dt, 'en')} ${dt.setLocale('en-GB').toFormat('d LLLL yyyy')}`;
}

export function when(instant: string | Date, timeZone: string, language: Language): When {
  const dt = (typeof instant === 'string' ? DateTime.fromISO(instant, { zone: timeZone }) : DateTime.fromJSDate(instant, { zone: timeZone })).setZone(timeZone);
  if (!dt.isValid) throw new Error(`not a valid instant: ${String(instant)} (${dt.invalidExplanation ?? dt.invalidReason})`);
  // The day of the last on-time instant (domain/round/lateness.ts): for 00:00 on the 25th, the 24th.
  const last = DateTime.fromISO(lastDayToSubmit(dt.toMillis(), timeZone), { zone: timeZone });
  const time = dt.toFormat('HH:mm');
  const day = dayText(dt, language);
  return {
    dateTime: language === 'vi' ? `${time} ${day}` : `${time}, ${day}`,
    day,
    weekday: weekdayName(dt, language),
    date: language === 'vi' ? dt.toFormat('dd/MM/yyyy') : dt.setLocale('en-GB').toFormat('d LLLL yyyy'),
    time,
    lastDay: dayText(last, language),
    lastDayShort: shortDay(last, language),
    iso: dt.toISO()!,
  };
}

/** "3 ngày 4 giờ" / "3 days 4 hours"; under a day hours and minutes; under a minute "dưới 1 phút". */
export function duration(ms: number, language: Language): string {
  const abs = Math.abs(ms);
  const minutes = Math.floor(abs / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const part = (n: number, vi: string, en: string) => (language === 'vi' ? `${n} ${vi}` : `${n} ${en}${n === 1 ? '' : 's'}`);
  const parts: string[] = [];
  if (days > 0) {
    parts.push(part(days, 'ngày', 'day'));
    if (hours > 0) parts.push(part(hours, 'giờ', 'hour'));
  } else if (hours > 0) {
    parts.push(part(hours, 'giờ', 'hour'));
    if (mins > 0) parts.push(part(mins, 'phút', 'minute'));
  } else if (mins > 0) {
    parts.push(part(mins, 'phút', 'minute'));
  } else {
    return language === 'vi' ? 'dưới 1 phút' : 'less than a minute';
  }
  return parts.join(' ');
}

/** Time left until `dueAt` seen from `at`, or how long it is overdue. */
export interface Timing {
  overdue: boolean;
  /** "còn 3 ngày 16 giờ" / "3 days 16 hours left" / "đã quá hạn 1 ngày" / "overdue by 1 day" */
  text: string;
  /** The duration alone: "3 ngày 16 giờ" / "3 days 16 hours". */
  span: string;
}

export function timing(at: string | Date, dueAt: string | Date, language: Language): Timing {
  const atMs = new Date(at).getTime();
  const dueMs = new Date(dueAt).getTime();
  const span = duration(dueMs - atMs, language);
  // The deadline instant itself is overdue: the same rule as receipts and statuses.
  const overdue = isLate(atMs, dueMs);
  const text = overdue
    ? language === 'vi'
      ? `đã quá hạn ${span}`
      : `overdue by ${span}`
    : language === 'vi'
      ? `còn ${span}`
      : `${span} left`;
  return { overdue, text, span };
}

/** Whole đồng: "12.500.000 đồng" / "VND 12,500,000". */
export function vnd(amount: string | bigint | number, language: Language): string {
  const digits = BigInt(amount).toString();
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, language === 'vi' ? '.' : ',');
  return language === 'vi' ? `${grouped} đồng` : `VND ${grouped}`;
}

/** 0.8 → "80%" / "80%" (Vietnamese uses a comma for decimals: 0.825 → "82,5%"). */
export function percent(ratio: number, language: Language): string {
  const value = Math.round(ratio * 1000) / 10;
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${language === 'vi' ? text.replace('.', ',') : text}%`;
}

/** "2 ngày làm việc" / "2 working days". */
export function workingDays(n: number, language: Language): string {
  return language === 'vi' ? `${n} ngày làm việc` : `${n} working day${n === 1 ? '' : 's'}`;
}

/**
 * A file's size for people: "27 byte" / "27 bytes" under 1 KB, then KB and MB of 1,024 as file managers
 * count them, one decimal (a comma in Vietnamese): "1,5 MB" / "1.5 MB".
 */
export function fileSize(bytes: number, language: Language): string {
  if (bytes < 1024) return language === 'vi' ? `${bytes} byte` : `${bytes} byte${bytes === 1 ? '' : 's'}`;
  const kb = Math.round((bytes / 1024) * 10) / 10;
  // Rounded first, so 1,048,575 bytes reads "1 MB", not "1024 KB".
  const [value, unit] = kb < 1024 ? [kb, 'KB'] : [Math.round((bytes / (1024 * 1024)) * 10) / 10, 'MB'];
  const text = value.toFixed(1).replace(/\.0$/, '');
  return `${language === 'vi' ? text.replace('.', ',') : text} ${unit}`;
}
