import { DateTime } from 'luxon';
import type { Aggregate, CompiledIndicator } from '../domain/compilation/model';

/**
 * Figures and dates as Vietnamese documents print them: "." between thousands, "," before decimals
 * (1.250.000.000; 3,38), dates as dd/mm/yyyy in the program's zone (never the machine's).
 */

/** "1250000.5" → "1.250.000,5". Takes the model's decimal strings, so big VND stays exact. */
export function numberVi(decimal: string): string {
  const [whole = '0', fractionPart] = decimal.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return fractionPart === undefined ? grouped : `${grouped},${fractionPart}`;
}

/** dd/mm/yyyy of an instant in `zone`. */
export function dateVi(instant: string, zone: string): string {
  return DateTime.fromISO(instant, { zone }).toFormat('dd/MM/yyyy');
}

/** dd/mm/yyyy HH:mm of an instant in `zone`. */
export function dateTimeVi(instant: string, zone: string): string {
  return DateTime.fromISO(instant, { zone }).toFormat('dd/MM/yyyy HH:mm');
}

/** A figure as a table cell shows it: "–" for no data, "n đơn vị" for a count of units. */
export function aggregateVi(indicator: Pick<CompiledIndicator, 'aggregation'>, aggregate: Aggregate): string {
  if (aggregate.value === null) return '–';
  if (indicator.aggregation === 'count') return `${numberVi(aggregate.value)} đơn vị`;
  return numberVi(aggregate.value);
}

export const AGGREGATION_WORDS = {
  sum: 'tổng',
  average: 'trung bình',
  count: 'số đơn vị có báo cáo',
  list: 'liệt kê',
} as const;

/** "2015-Q1" → "Quý I", "2015-adhoc-2" → "Đột xuất 2": short round labels for column heads. */
export function roundShortLabel(key: string): string {
  const q = /-Q([1-4])$/.exec(key);
  if (q) return `Quý ${['I', 'II', 'III', 'IV'][Number(q[1]) - 1]}`;
  const adhoc = /-adhoc-s?(\d+)$/.exec(key);
  if (adhoc) return `Đột xuất ${adhoc[1]}`;
  return key;
}

/**
 * How running text names a round of a period: "quý I" within a year, "quý I/2015" over several years;
 * "đột xuất 2" likewise. Null within a single round's report, which names no round.
 */
export function roundMention(key: string, scope: 'round' | 'year' | 'review'): string | null {
  if (scope === 'round') return null;
  const year = /^(\d{4})-/.exec(key)?.[1];
  const label = roundShortLabel(key);
  const lower = label.replace(/^Quý/, 'quý').replace(/^Đột xuất/, 'đột xuất');
  return scope === 'review' && year ? `${lower}/${year}` : lower;
}
