import { z } from 'zod';
import type { FormSection, Indicator, ReportForm } from '../program/forms';
import { formatPath } from '../program/parse';
import { allIndicators, indicatorsFor, sectionsFor, type FormUnit } from './applicability';
import type { FormData, SectionAnswer } from './form-data';
import { isBlank, readIndicatorValue, readText, type IndicatorValue } from './values';

/**
 * The zod schema of what one unit may submit on one form, built from the form definition: the web page,
 * the CLI (JSON or spreadsheet) and the activity that stores a submission all parse with it, so a value
 * is judged the same everywhere. Every problem is reported in one pass, each at its path
 * (`indicators.su-kien`, `sections.ket-qua-nhiem-vu.tasks.7`), saying what was wrong and what to write.
 *
 * - Indicators the unit is asked for (`filledBy`) are accepted; required ones must have a value (0 is a
 *   value); an indicator of the form not asked of this unit, or not on the form, is refused by name.
 * - Counts are whole numbers ≥ 0; VND amounts whole đồng ≥ 0 given as digits or a safe integer (stored
 *   as a digit string); percentages 0–100 with at most 2 decimals; texts are NFC-normalised, trimmed and
 *   limited in length (`maxLength`).
 * - A section answer is a text, or `{ text, tasks: { "<task number>": text } }` for sections tied to
 *   focal tasks; a required section needs at least one non-empty text.
 *
 * `draftSchema` is the same with nothing required: a draft may be partial, but what it holds is valid.
 */

export interface FormSchemaOptions {
  /** Drafts: no value is required. */
  draft?: boolean;
}

type Ctx = z.core.$RefinementCtx<unknown>;
type Path = (string | number)[];

/** 1, 2, 3, 5, 7, 8, 9 → "1–3, 5, 7–9". */
export function numberRanges(numbers: readonly number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}–${sorted[j]}` : sorted.slice(i, j + 1).join(', '));
    i = j + 1;
  }
  return parts.join(', ');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeKind(value: unknown): string {
  return Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value;
}

function readIndicators(raw: unknown, form: ReportForm, unit: FormUnit, draft: boolean, ctx: Ctx): Record<string, IndicatorValue> {
  const out: Record<string, IndicatorValue> = {};
  const problem = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path: ['indicators', ...path], message });
  if (raw !== undefined && raw !== null && !isPlainObject(raw)) {
    problem([], `expected an object of indicator values by id, got ${describeKind(raw)}`);
    return out;
  }
  const given = raw ?? {};
  const asked = new Map<string, Indicator>(indicatorsFor(form, unit).map((i) => [i.id, i]));
  const onForm = new Set(allIndicators(form).map((e) => e.indicator.id));
  for (const key of Object.keys(given)) {
    if (asked.has(key)) continue;
    problem(
      [key],
      onForm.has(key)
        ? `"${key}" is not asked of ${unit.id}; remove it (it is for other units)`
        : `"${key}" is not an indicator of this form; the form has: ${[...asked.keys()].join(', ') || '(none for this unit)'}`,
    );
  }
  for (const [id, indicator] of asked) {
    const value = given[id];
    if (isBlank(value)) {
      if (!draft && indicator.required)
        problem(
          [id],
          `required: "${indicator.name.vi}" (${indicator.name.en}); ${indicator.type === 'text' ? 'write something' : 'write 0 if there was none'}`,
        );
      continue;
    }
    const read = readIndicatorValue(indicator, value);
    if (read.ok) out[id] = read.value;
    else problem([id], read.message);
  }
  return out;
}

function readSection(raw: unknown, section: FormSection, draft: boolean, problem: (path: Path, message: string) => void): SectionAnswer | undefined {
  let text: unknown;
  let tasks: unknown;
  if (typeof raw === 'string') text = raw;
  else if (isPlainObject(raw)) {
    for (const key of Object.keys(raw))
      if (key !== 'text' && key !== 'tasks') problem([key], `unknown field "${key}"; a section answer has "text" and, for task sections, "tasks"`);
    text = raw.text;
    tasks = raw.tasks;
  } else if (!isBlank(raw)) {
    problem([], `expected a text or { "text": …, "tasks": { "<task number>": … } }, got ${describeKind(raw)}`);
    return undefined;
  }

  const answer: SectionAnswer = { tasks: {} };
  if (!isBlank(text)) {
    const read = readText(text, section.maxLength);
    if (read.ok) {
      if (read.value !== '') answer.text = read.value;
    } else problem(['text'], read.message);
  }
  if (tasks !== undefined && tasks !== null) {
    if (!isPlainObject(tasks)) problem(['tasks'], `expected texts by focal task number, e.g. { "7": "…" }, got ${describeKind(tasks)}`);
    else if (section.tasks.length === 0 && Object.values(tasks).some((v) => !isBlank(v)))
      problem(['tasks'], 'this section is not split by focal task; write everything in "text"');
    else
      for (const [key, value] of Object.entries(tasks)) {
        const n = /^\d+$/.test(key) ? Number(key) : NaN;
        if (!section.tasks.includes(n)) {
          problem(['tasks', key], `focal task "${key}" is not part of this section; it takes tasks ${numberRanges(section.tasks)}`);
          continue;
        }
        if (isBlank(value)) continue;
        const read = readText(value, section.maxLength);
        if (read.ok) answer.tasks[String(n)] = read.value;
        else problem(['tasks', key], read.message);
      }
  }
  const empty = answer.text === undefined && Object.keys(answer.tasks).length === 0;
  if (empty && !draft && section.required)
    problem(
      [],
      `required: "${section.title.vi}" (${section.title.en}); write ${section.tasks.length ? 'at least one focal task’s text or a general text' : 'its text'}`,
    );
  return empty ? undefined : answer;
}

function readSections(raw: unknown, form: ReportForm, unit: FormUnit, draft: boolean, ctx: Ctx): Record<string, SectionAnswer> {
  const out: Record<string, SectionAnswer> = {};
  const problemAt = (base: Path) => (path: Path, message: string) => ctx.addIssue({ code: 'custom', path: ['sections', ...base, ...path], message });
  if (raw !== undefined && raw !== null && !isPlainObject(raw)) {
    problemAt([])([], `expected an object of section answers by id, got ${describeKind(raw)}`);
    return out;
  }
  const given = raw ?? {};
  const asked = new Map<string, FormSection>(sectionsFor(form, unit).map((s) => [s.id, s]));
  const onForm = new Set(form.sections.map((s) => s.id));
  for (const key of Object.keys(given)) {
    if (asked.has(key)) continue;
    problemAt([key])(
      [],
      onForm.has(key)
        ? `section "${key}" is not asked of ${unit.id}; remove it`
        : `"${key}" is not a section of this form; the form has: ${[...asked.keys()].join(', ') || '(none for this unit)'}`,
    );
  }
  for (const [id, section] of asked) {
    const answer = readSection(given[id], section, draft, problemAt([id]));
    if (answer) out[id] = answer;
  }
  return out;
}

/** The zod schema for what `unit` submits on `form` (see the header). Its output is a `FormData`. */
export function formSubmissionSchema(form: ReportForm, unit: FormUnit, options: FormSchemaOptions = {}): z.ZodType<FormData, unknown> {
  const draft = options.draft ?? false;
  return z.unknown().transform((raw, ctx): FormData => {
    if (!isPlainObject(raw)) {
      ctx.addIssue({ code: 'custom', path: [], message: `expected a form object { "indicators": …, "sections": … }, got ${describeKind(raw)}` });
      return z.NEVER;
    }
    for (const key of Object.keys(raw))
      if (key !== 'indicators' && key !== 'sections')
        ctx.addIssue({ code: 'custom', path: [key], message: `unknown field "${key}"; a filled form has "indicators" and "sections"` });
    return { indicators: readIndicators(raw.indicators, form, unit, draft, ctx), sections: readSections(raw.sections, form, unit, draft, ctx) };
  });
}

/** A draft of `unit`'s form: partial, but every value it holds is valid. */
export function draftSchema(form: ReportForm, unit: FormUnit): z.ZodType<FormData, unknown> {
  return formSubmissionSchema(form, unit, { draft: true });
}

export type FormValidation = { ok: true; data: FormData } | { ok: false; problems: string[] };

/** Parses a filled form and lists every problem as `path: reason` (for CLIs, files and the web page). */
export function validateFormData(form: ReportForm, unit: FormUnit, input: unknown, options: FormSchemaOptions = {}): FormValidation {
  const result = formSubmissionSchema(form, unit, options).safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, problems: result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`) };
}
