import { REPORT_TEXT_MAX_CHARS } from '../../domain/compilation/lifecycle';
import { translate, translateWith, type Lang } from './i18n';
import { LocalizedProblem } from './localized-problem';

/**
 * The Reports pages' forms, read at the edge: texts NFC and trimmed, the number and the signer's lines
 * checked before anything is sent, each problem said in the user's language (the application layer
 * checks again with the domain's schemas: domain/compilation/lifecycle.ts).
 */

type Body = Record<string, string | undefined>;

const clean = (text: string | undefined) => (text ?? '').normalize('NFC').trim();
const thousands = (n: number, lang: Lang) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'vi' ? '.' : ',');

/** The edit form: both texts, NFC and trimmed; too long is refused with the field's name and length. */
export function readEditsForm(lang: Lang, body: Body): { introduction: string; conclusions: string } {
  const out = { introduction: clean(body.introduction), conclusions: clean(body.conclusions) };
  for (const field of ['introduction', 'conclusions'] as const) {
    // Counted as the domain's schema counts (string length), after NFC.
    const length = out[field].length;
    if (length > REPORT_TEXT_MAX_CHARS)
      throw new LocalizedProblem('invalid', translateWith(lang, 'textTooLong', { field: translate(lang, field), length: thousands(length, lang), max: thousands(REPORT_TEXT_MAX_CHARS, lang) }), field);
  }
  return out;
}

export interface IssueForm {
  number: number;
  signer: { title: string[]; name: string };
}

/** The issue form: the register number (1–99999), the signer's position one line each, the name. */
export function readIssueForm(lang: Lang, body: Body): IssueForm {
  const raw = clean(body.number);
  if (!/^[0-9]{1,5}$/.test(raw) || Number(raw) < 1) throw new LocalizedProblem('invalid', translateWith(lang, 'badNumber', { value: raw.slice(0, 20) }), 'number');
  const title = clean(body.signerTitle)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (title.length === 0) throw new LocalizedProblem('invalid', translate(lang, 'noSignerTitle'), 'signerTitle');
  const name = clean(body.signerName);
  if (!name) throw new LocalizedProblem('invalid', translate(lang, 'noSignerName'), 'signerName');
  return { number: Number(raw), signer: { title, name } };
}
