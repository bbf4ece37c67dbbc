import { quoted } from '../domain/text/quoted';
import { AppError } from './errors';

/**
 * Parsing of values people type, shared by the CLI's flags and the web app's forms. Each throws an
 * AppError ('invalid') naming the field and what to give instead. Apart from ./input.ts (dates, which
 * need luxon) so that the command line's declarations can use them without loading it (issue #14:
 * `kybao --help` start-up).
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
