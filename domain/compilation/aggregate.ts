import type { Aggregation, IndicatorType } from '../program/forms';
import type { IndicatorValue } from '../forms/values';
import { fraction, roundHalfUp, withDecimals } from './exact';
import type { Aggregate } from './model';

/**
 * One indicator's figure over a set of values (a category's, the province's). Numbers are scaled to
 * integers first (VND: đồng; counts: units; percentages: hundredths), so sums are exact and an average
 * is the exact fraction Σ/n, displayed rounded half up: VND to the whole đồng, counts and percentages to
 * 2 decimals. A unit that gave no value is not in the mean (nor in `reported`).
 */

/** Implied decimals of a type's scaled integers, and the decimals an average is shown with. */
const SCALE: Record<Exclude<IndicatorType, 'text'>, { decimals: number; averageDecimals: number }> = {
  count: { decimals: 0, averageDecimals: 2 },
  'amount-vnd': { decimals: 0, averageDecimals: 0 },
  percentage: { decimals: 2, averageDecimals: 2 },
};

function scaled(type: Exclude<IndicatorType, 'text'>, value: IndicatorValue): bigint {
  if (type === 'amount-vnd') return BigInt(String(value));
  if (type === 'percentage') return BigInt(Math.round(Number(value) * 100));
  return BigInt(Number(value));
}

/** Something to report: a number above 0, a non-empty text. */
function isSomething(type: IndicatorType, value: IndicatorValue): boolean {
  if (type === 'text') return String(value).trim() !== '';
  return scaled(type, value) > 0n;
}

export function aggregate(type: IndicatorType, aggregation: Aggregation, values: readonly IndicatorValue[], asked: number): Aggregate {
  const reported = values.length;
  const base = { asked, reported };
  if (reported === 0 || aggregation === 'list') return { ...base, value: null };
  if (aggregation === 'count') return { ...base, value: String(values.filter((v) => isSomething(type, v)).length) };
  if (type === 'text') throw new Error(`a text indicator cannot be aggregated by ${aggregation} (the form schema refuses it)`);
  const { decimals, averageDecimals } = SCALE[type];
  const total = values.reduce((sum, v) => sum + scaled(type, v), 0n);
  if (aggregation === 'sum') return { ...base, value: withDecimals(total, decimals) };
  // average: Σ(scaled)/(n·10^decimals) in the indicator's own unit
  const denominator = BigInt(reported) * 10n ** BigInt(decimals);
  return { ...base, value: roundHalfUp(total, denominator, averageDecimals), exact: fraction(total, denominator) };
}
