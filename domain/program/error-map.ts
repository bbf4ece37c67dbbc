import type { z } from 'zod';

/**
 * What `kybao program validate` says about a value that zod refused, in the words of someone editing a
 * YAML file: what the field must be, what was written instead, and how to write it. Fields that need
 * their own words (years, ids, e-mails, dates) set them in the schema; this map covers the rest, and
 * is passed to every parse of a program (zod 4's contextual error map: a schema's own message wins).
 */

/** A value as the author wrote it: `.inf` rather than "Infinity", "the text "2014"" rather than a JS string. */
import { quoted } from '../text/quoted';

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (an empty value)';
  if (Array.isArray(value)) return value.length ? 'a list' : 'an empty list';
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length ? `a mapping (with ${keys.join(', ')})` : 'an empty mapping';
  }
  if (typeof value === 'string') return value.trim() === '' ? 'an empty text' : `the text ${quoted(value)}`;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan (not a number)';
    if (value === Number.POSITIVE_INFINITY) return '.inf (infinity)';
    if (value === Number.NEGATIVE_INFINITY) return '-.inf (minus infinity)';
    return String(value);
  }
  return String(value);
}

function looksNumeric(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
}

function invalidType(expected: string, input: unknown): string {
  const got = describeValue(input);
  switch (expected) {
    case 'int':
      if (typeof input === 'number' && Number.isFinite(input)) return `must be a whole number, got ${got}`;
      if (looksNumeric(input)) return `must be a whole number, got ${got}; write it without quotes`;
      if (typeof input === 'number') return `must be a finite whole number, got ${got}`;
      return `must be a whole number, got ${got}`;
    case 'number':
      if (typeof input === 'number') return `must be a finite number, got ${got}`;
      if (looksNumeric(input)) return `must be a number, got ${got}; write it without quotes`;
      return `must be a number, got ${got}`;
    case 'boolean':
      return `must be true or false, got ${got}`;
    case 'string':
      return `must be text, got ${got}${typeof input === 'number' || typeof input === 'boolean' ? '; put it in quotes if it is meant as text' : ''}`;
    case 'object':
      return `must be a mapping (indented "key: value" lines, or { key: value }), got ${got}`;
    case 'array':
      return `must be a list (one "- item" per line, or [a, b]), got ${got}`;
    default:
      return `must be ${expected}, got ${got}`;
  }
}

function bound(value: number | bigint): string {
  return typeof value === 'bigint' ? value.toString() : String(value);
}

export const programErrorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return `missing; add this required ${iss.expected === 'object' ? 'section' : 'field'}`;
      return invalidType(iss.expected, iss.input);
    case 'invalid_value':
      return `must be one of ${iss.values.map(String).join(', ')}; got ${describeValue(iss.input)}`;
    case 'too_small':
      if (iss.origin === 'array') return `needs at least ${bound(iss.minimum)} item${iss.minimum === 1 ? '' : 's'}, got ${Array.isArray(iss.input) ? iss.input.length : 0}`;
      if (iss.origin === 'string') return 'is empty; fill it in';
      return iss.inclusive === false
        ? `must be more than ${bound(iss.minimum)}, got ${describeValue(iss.input)}`
        : `must be at least ${bound(iss.minimum)}, got ${describeValue(iss.input)}`;
    case 'too_big':
      if (iss.origin === 'array') return `has too many items: at most ${bound(iss.maximum)}`;
      if (iss.origin === 'string') return `is too long: at most ${bound(iss.maximum)} characters`;
      // zod's own guard on whole numbers (2^53 − 1): the field's real limit, if any, is reported too.
      if (iss.maximum === Number.MAX_SAFE_INTEGER) return `is far too large, got ${describeValue(iss.input)}`;
      return iss.inclusive === false
        ? `must be less than ${bound(iss.maximum)}, got ${describeValue(iss.input)}`
        : `must be at most ${bound(iss.maximum)}, got ${describeValue(iss.input)}`;
    case 'invalid_union':
      return `does not match any allowed form, got ${describeValue(iss.input)}`;
    case 'invalid_format':
      return `is not a valid ${iss.format}, got ${describeValue(iss.input)}`;
    default:
      return undefined;
  }
};

/**
 * Messages for a year field (period, reviews, holiday overrides): "a year like 2014", whether the
 * author wrote .inf, 2014.5, "2014" in quotes, or 1800.
 */
export function yearMessage(input: unknown, range: { min: number; max: number }): string | undefined {
  if (input === undefined) return undefined; // "missing; add this required field" from the map
  const got = describeValue(input);
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return `must be a finite year (a year like 2014), got ${got}`;
    if (!Number.isInteger(input)) return `must be a whole number (a year like 2014), got ${got}`;
    return `must be a year from ${range.min} to ${range.max}, got ${got}`;
  }
  if (looksNumeric(input)) return `must be a year written as a number (like 2014), got ${got}; remove the quotes`;
  return `must be a year (a whole number like 2014), got ${got}`;
}
