/**
 * Exact arithmetic for compiled figures. Sums and averages are computed on BigInt integers (VND in
 * đồng, percentages in hundredths), so a province-wide total of amounts beyond 2^53 đồng is still exact
 * and an average is an exact fraction; only its display is rounded, half up (away from zero, and every
 * figure here is ≥ 0), to a fixed number of decimals.
 */

export interface Fraction {
  /** Decimal digits of a non-negative integer. */
  numerator: string;
  /** Decimal digits of a positive integer. */
  denominator: string;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** num/den in lowest terms. Throws on a zero or negative denominator (a caller's bug). */
export function fraction(numerator: bigint, denominator: bigint): Fraction {
  if (denominator <= 0n) throw new Error(`fraction: the denominator must be positive, got ${denominator}`);
  const g = gcd(numerator < 0n ? -numerator : numerator, denominator) || 1n;
  return { numerator: String(numerator / g), denominator: String(denominator / g) };
}

/**
 * num/den rounded half up to `decimals` places, as a decimal string with "." ("3.38", "1250000").
 * For num ≥ 0, den > 0: floor((num·10^d + den/2) / den), computed as floor((2·num·10^d + den) / (2·den)).
 */
export function roundHalfUp(numerator: bigint, denominator: bigint, decimals: number): string {
  if (denominator <= 0n) throw new Error(`roundHalfUp: the denominator must be positive, got ${denominator}`);
  if (numerator < 0n) throw new Error(`roundHalfUp: figures are never negative, got ${numerator}`);
  const scale = 10n ** BigInt(decimals);
  const q = (2n * numerator * scale + denominator) / (2n * denominator);
  return withDecimals(q, decimals);
}

/** An integer holding `decimals` implied decimal places, as a decimal string: (4550, 2) → "45.5" is NOT done; → "45.50". */
export function withDecimals(scaled: bigint, decimals: number): string {
  if (decimals === 0) return String(scaled);
  const digits = String(scaled).padStart(decimals + 1, '0');
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/** part/whole as a percentage rounded half up to `decimals` places, or null when whole is 0. */
export function percent(part: number, whole: number, decimals = 1): string | null {
  if (whole === 0) return null;
  return roundHalfUp(BigInt(part) * 100n, BigInt(whole), decimals);
}
