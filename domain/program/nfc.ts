/**
 * Text from outside is normalised to Unicode NFC at the edge. A program file saved on macOS may spell
 * "Sở Nội vụ" with combining marks (NFD): it looks the same, but compares, hashes and sorts differently,
 * so the same program would load as a changed definition and names would not match the ones typed in
 * NFC. Every string of the file, keys included, is NFC before it is validated.
 */
export function nfcDeep(value: unknown): unknown {
  if (typeof value === 'string') return value.normalize('NFC');
  if (Array.isArray(value)) return value.map(nfcDeep);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.normalize('NFC'), nfcDeep(v)]));
  }
  return value;
}
