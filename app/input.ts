import { DateTime } from 'luxon';
import { formatInstant } from '../domain/calendar/notices';
import { AppError } from './errors';
import { quoted } from '../domain/text/quoted';

/**
 * Parsing of values people type, shared by the CLI's flags and the web app's forms. Each throws an
 * AppError ('invalid') naming the field and what to give instead.
 */
export function parseYear(value: string, field = 'year'): number {
  const year = Number(value);
  if (!/^\d{4}$/.test(value) || year < 1900 || year > 2200) throw new AppError('invalid', `${quoted(value)} is not a year; give four digits, e.g. 2015`, field);
  return year;
}

/** Whole VND as digits; separators (., , _ and spaces) are dropped. */
export function parseAmount(value: string, field = 'amountVnd'): string {
  const digits = value.replace(/[_,.\s]/g, '');
  if (!/^\d{1,15}$/.test(digits)) throw new AppError('invalid', `${quoted(value)} is not a whole amount of VND; give digits, e.g. 1250000000`, field);
  return digits.replace(/^0+(?=\d)/, '');
}

export function parseOffsets(value: string, field = 'reminders'): number[] {
  const parts = value.split(',').map((p) => p.trim()).filter(Boolean);
  const numbers = parts.map(Number);
  if (!parts.length || numbers.some((n) => !Number.isInteger(n) || n < 1 || n > 60)) {
    throw new AppError('invalid', `${quoted(value)} is not a list of working days between 1 and 60, e.g. 5,2,1`, field);
  }
  return [...new Set(numbers)].sort((a, b) => b - a);
}

export function parseList(value: string, field = 'units'): string[] {
  const items = value.split(',').map((p) => p.trim()).filter(Boolean);
  if (!items.length) throw new AppError('invalid', `${quoted(value)}: give at least one value, separated by commas`, field);
  return items;
}

/**
 * A deadline or extension date: "YYYY-MM-DD" is 00:00 that day in `zone` (due *before* that day);
 * anything else must be a full ISO-8601 instant with an offset or Z. Returns ISO with the zone's
 * offset. Instants not after `now` (epoch ms) are refused.
 */
export function parseDeadline(value: string, zone: string, what: string, now: number, field = what.replace(/^--/, '')): string {
  let dt: DateTime;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    dt = DateTime.fromISO(`${value}T00:00`, { zone });
    if (!dt.isValid) throw new AppError('invalid', `${what} ${quoted(value)} is not a calendar date`, field);
  } else {
    if (!/[zZ]|[+-]\d{2}:?\d{2}$/.test(value)) {
      throw new AppError('invalid', `${what} ${quoted(value)} needs a date (YYYY-MM-DD, meaning 00:00 ${zone} that day) or an instant with an offset, e.g. 2026-12-25T00:00:00+07:00`, field);
    }
    dt = DateTime.fromISO(value, { setZone: true });
    if (!dt.isValid) throw new AppError('invalid', `${what} ${quoted(value)} is not an ISO-8601 instant (${dt.invalidExplanation ?? dt.invalidReason})`, field);
  }
  const ms = dt.toMillis();
  if (ms <= now) {
    throw new AppError('invalid', `${what} ${formatInstant(ms, zone)} is in the past (now is ${formatInstant(now, zone)}); choose a later date`, field);
  }
  return formatInstant(ms, zone);
}
