import { DateTime } from 'luxon';
import { lastDayToSubmit } from '../../domain/round/lateness';

/**
 * Output helpers shared by the commands: aligned text tables for people, JSON for machines, instants in
 * the program's local time. Data goes to stdout; progress and notes go to stderr so `--json` output can
 * be piped.
 */
export const DEFAULT_ZONE = 'Asia/Ho_Chi_Minh';

/** Characters a terminal shows in one column (Vietnamese diacritics combine, CJK is not expected). */
function width(text: string): number {
  return [...text.normalize('NFC')].length;
}

function pad(text: string, n: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, n - width(text)));
  return align === 'left' ? text + fill : fill + text;
}

export interface TableOptions {
  /** Columns (by index) aligned right, e.g. numbers. */
  right?: number[];
  /** Separator between columns (default two spaces). */
  gap?: string;
}

/** A plain-text table with a header row and a dashed rule under it. */
export function table(headers: string[], rows: string[][], options: TableOptions = {}): string {
  const gap = options.gap ?? '  ';
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => pad(c ?? '', widths[i]!, options.right?.includes(i) ? 'right' : 'left'))
      .join(gap)
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join(gap), ...rows.map(line)].join('\n') + '\n';
}

export function printJson(data: unknown): void {
  process.stdout.write(JSON.stringify(data, null, 2) + '\n');
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** A note or progress line on stderr (never mixed into data on stdout). */
export function note(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : text + '\n');
}

/** An instant (ISO or epoch ms) as "ccc yyyy-MM-dd HH:mm" in the zone, English weekday names everywhere. */
export function localTime(instant: string | number | null | undefined, zone = DEFAULT_ZONE): string {
  if (instant === null || instant === undefined || instant === '') return '';
  const dt = typeof instant === 'number' ? DateTime.fromMillis(instant, { zone }) : DateTime.fromISO(instant, { zone });
  if (!dt.isValid) return String(instant);
  return dt.setLocale('en-GB').toFormat('ccc yyyy-MM-dd HH:mm');
}

/**
 * The last day to submit for a deadline instant, "Wed 2026-12-09" for one due before 00:00 on the 10th
 * (domain/round/lateness.ts): one-line confirmations name it so that "due 2026-12-10" cannot be misread.
 */
export function lastDay(instant: string | number, zone = DEFAULT_ZONE): string {
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  if (Number.isNaN(ms)) return String(instant);
  return DateTime.fromISO(lastDayToSubmit(ms, zone), { zone }).setLocale('en-GB').toFormat('ccc yyyy-MM-dd');
}

/** The same with seconds, for audit timelines where order within a minute matters. */
export function localTimeSeconds(instant: string | number, zone = DEFAULT_ZONE): string {
  const dt = typeof instant === 'number' ? DateTime.fromMillis(instant, { zone }) : DateTime.fromISO(instant, { zone });
  if (!dt.isValid) return String(instant);
  return dt.setLocale('en-GB').toFormat('yyyy-MM-dd HH:mm:ss');
}

/** An instant as ISO-8601 with the zone's offset (2015-03-25T00:00:00+07:00). */
export function isoLocal(instant: string | number, zone = DEFAULT_ZONE): string {
  const dt = typeof instant === 'number' ? DateTime.fromMillis(instant, { zone }) : DateTime.fromISO(instant, { zone });
  return dt.toISO({ suppressMilliseconds: true }) ?? String(instant);
}

export function percent(rate: number | undefined | null): string {
  if (rate === undefined || rate === null || Number.isNaN(rate)) return '';
  return `${Math.round(rate * 1000) / 10}%`;
}

/** A duration in days/hours/minutes, e.g. "2d 12h", for "late by". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  if (ms <= 0) return '0';
  const minutes = Math.round(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', !d && m ? `${m}m` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : '<1m';
}

/**
 * "late by" for a late submission: its duration, or "0 (at the deadline instant)" for one received at
 * the instant itself, which is late by the rule in domain/round/lateness.ts and must not read as on time.
 */
export function lateBy(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return ms === 0 ? '0 (at the deadline instant)' : duration(ms);
}

/** What a receipt says: "on time", "late by 2d 12h" or "late by 0 (at the deadline instant)". */
export function timeliness(receipt: { onTime: boolean; lateByMs: number }): string {
  return receipt.onTime ? 'on time' : `late by ${lateBy(receipt.lateByMs)}`;
}

/** Whole VND with thousands separators: 1250000000 → 1,250,000,000. */
export function vnd(amount: string | null | undefined): string {
  if (!amount) return '';
  return amount.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
