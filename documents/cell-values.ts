/** A model decimal string as a spreadsheet cell value: a number when a double holds it exactly, else the digits as text. */
export function figure(decimal: string | null): number | string | null {
  if (decimal === null) return null;
  const n = Number(decimal);
  return Number.isInteger(n) ? (Number.isSafeInteger(n) ? n : decimal) : n;
}
