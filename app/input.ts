import { DateTime } from 'luxon';
import { formatInstant } from '../domain/calendar/notices';
import { AppError } from './errors';
import { quoted } from '../domain/text/quoted';

/**
 * Parsing of values people type, shared by the CLI's flags and the web app's forms. Each throws an
 * AppError ('invalid') naming the field and what to give instead. Years, amounts and lists live in
 * ./input-values.ts (no luxon); dates here.
 */
export { parseAmount, parseList, parseOffsets, parseYear } from './input-values';

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
