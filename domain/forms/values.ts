import { z } from 'zod';
import { TEXT_INDICATOR_MAX_LENGTH, type Indicator, type IndicatorType } from '../program/forms';

/**
 * How one value of a filled form is read, whatever it came from: a JSON number, a web form's string, a
 * spreadsheet cell. Each reader either returns the value in its stored shape (counts and percentages as
 * numbers, VND as a digit string, text as NFC-normalised trimmed text) or says what was wrong and what
 * to write instead. Blank input (undefined, null, "", spaces) is "no value"; whether that is allowed is
 * the caller's business (required indicators, drafts).
 */

export type ReadResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** The largest VND amount accepted: 18 digits (below 2^63, the database's BigInt). */
const MAX_VND_DIGITS = 18;

export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Text from outside is normalised to NFC at the edge (a Vietnamese "ộ" typed on macOS arrives decomposed). */
export function normaliseText(value: string): string {
  return value.normalize('NFC').trim();
}

function shown(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : typeof value;
}

const SEPARATED_THOUSANDS = /^\d{1,3}([., \u00a0]\d{3})+$/;

/** A count: a whole number ≥ 0 (e.g. events held). `max` catches typos. */
export function readCount(value: unknown, max: number = Number.MAX_SAFE_INTEGER): ReadResult<number> {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const s = value.trim();
    if (SEPARATED_THOUSANDS.test(s)) return { ok: false, message: `${shown(value)}: write a whole number in digits only, without separators or decimals` };
    if (!/^-?\d+(\.\d+)?$/.test(s)) return { ok: false, message: `${shown(value)} is not a number; write a whole number such as 3 (0 if none)` };
    n = Number(s);
  } else return { ok: false, message: `expected a whole number, got ${shown(value)}` };
  if (!Number.isFinite(n)) return { ok: false, message: `${shown(value)} is not a number; write a whole number such as 3` };
  if (n < 0) return { ok: false, message: `${shown(value)} is negative; a count is 0 or more` };
  if (!Number.isInteger(n)) return { ok: false, message: `${shown(value)} is not a whole number; counts have no fractions` };
  if (n > max) return { ok: false, message: `${shown(value)} is more than ${max}, the most this form accepts; check for a typo` };
  return { ok: true, value: n };
}

/** An amount in VND: whole đồng ≥ 0, as digits (a string) or a safe integer. Stored as a digit string. */
export function readAmountVnd(value: unknown): ReadResult<string> {
  let digits: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, message: `${shown(value)} is not an amount; write whole đồng, e.g. 15000000` };
    if (value < 0) return { ok: false, message: `${shown(value)} is negative; an amount is 0 or more` };
    if (!Number.isInteger(value)) return { ok: false, message: `${shown(value)} has a fraction; amounts are whole đồng` };
    if (!Number.isSafeInteger(value))
      return { ok: false, message: `${shown(value)} is too large to be exact as a number; write it as a string of digits` };
    digits = String(value);
  } else if (typeof value === 'string') {
    const s = value.trim();
    if (SEPARATED_THOUSANDS.test(s))
      return { ok: false, message: `${shown(value)}: write digits only, without thousands separators, e.g. ${s.replace(/\D/g, '')}` };
    if (/^-\d/.test(s)) return { ok: false, message: `${shown(value)} is negative; an amount is 0 or more` };
    if (/^\d+[.,]\d+$/.test(s)) return { ok: false, message: `${shown(value)} has a fraction; amounts are whole đồng` };
    if (!/^\d+$/.test(s)) return { ok: false, message: `${shown(value)} is not an amount; write whole đồng as digits, e.g. 15000000` };
    digits = s.replace(/^0+(?=\d)/, '');
  } else return { ok: false, message: `expected an amount in đồng, got ${shown(value)}` };
  if (digits.length > MAX_VND_DIGITS) return { ok: false, message: `${shown(value)} has more than ${MAX_VND_DIGITS} digits; check the amount` };
  return { ok: true, value: digits };
}

/** A percentage: 0–100 with at most 2 decimals. Strings may use a decimal comma and a trailing "%". */
export function readPercentage(value: unknown): ReadResult<number> {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const s = value.trim().replace(/\s*%$/, '');
    if (!/^-?\d+([.,]\d+)?$/.test(s)) return { ok: false, message: `${shown(value)} is not a percentage; write a number from 0 to 100, e.g. 45.5` };
    n = Number(s.replace(',', '.'));
  } else return { ok: false, message: `expected a percentage, got ${shown(value)}` };
  if (!Number.isFinite(n) || n < 0 || n > 100) return { ok: false, message: `${shown(value)} is not between 0 and 100` };
  const hundredths = n * 100;
  if (Math.abs(hundredths - Math.round(hundredths)) > 1e-6)
    return { ok: false, message: `${shown(value)} has more than 2 decimals; round it, e.g. ${Math.round(hundredths) / 100}` };
  return { ok: true, value: Math.round(hundredths) / 100 };
}

/** Free text: NFC, trimmed, at most `maxLength` characters (counted after normalisation). */
export function readText(value: unknown, maxLength: number): ReadResult<string> {
  if (typeof value !== 'string') return { ok: false, message: `expected text, got ${shown(value)}` };
  const text = normaliseText(value);
  if (text.length > maxLength) return { ok: false, message: `is ${text.length} characters long; shorten it to at most ${maxLength}` };
  return { ok: true, value: text };
}

export type IndicatorValue = number | string;

/** Reads a non-blank value of an indicator according to its type. */
export function readIndicatorValue(indicator: Pick<Indicator, 'type' | 'max' | 'maxLength'>, value: unknown): ReadResult<IndicatorValue> {
  const type: IndicatorType = indicator.type;
  switch (type) {
    case 'count':
      return readCount(value, indicator.max);
    case 'amount-vnd':
      return readAmountVnd(value);
    case 'percentage':
      return readPercentage(value);
    case 'text':
      return readText(value, indicator.maxLength ?? TEXT_INDICATOR_MAX_LENGTH);
  }
}

/** The stored shape of a value, whichever indicator it belongs to: what the database's JSON holds. */
export const indicatorValueSchema = z.union([z.number(), z.string()]);
