/** Longest part of an outside value repeated in a refusal: enough to recognise it, never a dump. */
export const QUOTED_MAX_CHARS = 60;

/** Invisible or text-turning characters: controls, format characters (zero-width, bidi marks and overrides, BOM, soft hyphen), lone surrogates. */
const HIDDEN_SOURCE = '[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\u00a0\\u2007\\u202f]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const HIDDEN = new RegExp(HIDDEN_SOURCE, 'gu');
const HIDDEN_TEST = new RegExp(HIDDEN_SOURCE, 'u');

/**
 * An outside value (a unit id someone sent) as a refusal repeats it: in quotes, with every invisible
 * character written as \u{…} so that "so-\u{200b}tttt" does not read as "so-tttt", and cut after
 * QUOTED_MAX_CHARS characters with the full length said, so a 2 MB payload is not echoed back.
 */
export function quoted(value: string): string {
  const chars = Array.from(value);
  const head = chars.slice(0, QUOTED_MAX_CHARS).join('');
  const shown = head.replace(HIDDEN, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`).replace(/"/g, '\\"');
  return chars.length > QUOTED_MAX_CHARS ? `"${shown}…" (${chars.length} characters)` : `"${shown}"`;
}

/** Longest problem line a person is shown; longer ones are cut (after their long quotes were shortened). */
export const MAX_PROBLEM_CHARS = 1_000;

/**
 * A problem line that may repeat outside values inside "…" (or '…') quotes (a program file's e-mail, date or
 * zone): every quoted part longer than QUOTED_MAX_CHARS, or with invisible characters, is written as
 * quoted() writes it, so the line says what was wrong without repeating a 3 MB value; a line still
 * longer than MAX_PROBLEM_CHARS is cut.
 */
export function tameEchoes(line: string): string {
  // "…" as kybao quotes, '…' as commander quotes an option's argument.
  const tamed = line.replace(/"([^"\n]*)"|'([^'\n]*)'/g, (whole, double: string | undefined, single: string | undefined) => {
    const inner = double ?? single ?? '';
    return Array.from(inner).length > QUOTED_MAX_CHARS || HIDDEN_TEST.test(inner) ? quoted(inner) : whole;
  });
  const chars = Array.from(tamed);
  return chars.length > MAX_PROBLEM_CHARS ? `${chars.slice(0, MAX_PROBLEM_CHARS - 20).join('')}… (line cut)` : tamed;
}
