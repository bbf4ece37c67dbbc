/**
 * Text from outside (file names, notes, reasons, names typed in forms or flags) is normalised to
 * Unicode NFC at the edge, so "Báo cáo" typed on macOS (NFD: a + combining acute) and on Windows (NFC)
 * is one string everywhere after: in the database, in mails, in comparisons (issue #12, item 4).
 */
export function nfc(text: string): string;
export function nfc(text: string | undefined): string | undefined;
export function nfc(text: string | undefined): string | undefined {
  return text === undefined ? undefined : text.normalize('NFC');
}

/** nfc() and trim; undefined for a blank text. */
export function cleanText(text: string | undefined | null): string | undefined {
  if (text === undefined || text === null) return undefined;
  const t = text.normalize('NFC').trim();
  return t === '' ? undefined : t;
}

/** Every string inside a plain JSON-like value, NFC. */
export function nfcDeep<T>(value: T): T {
  if (typeof value === 'string') return value.normalize('NFC') as T;
  if (Array.isArray(value)) return value.map((v: unknown) => nfcDeep(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, nfcDeep(v)])) as T;
  }
  return value;
}
