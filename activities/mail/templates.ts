import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { z } from 'zod';
import { REPO_ROOT } from '../../infra/db/database-url';
import type { Language } from '../../domain/text/format';

/**
 * The operator-editable mail templates (templates/mail/ by default, KYBAO_MAIL_TEMPLATES_DIR), rendered
 * with Handlebars in strict mode: a template that names a variable the context does not have throws,
 * naming the file, line and variable, instead of sending a mail with a hole in it.
 *
 * Layout, per language (vi, en):
 *   <lang>/<name>.subject.hbs   one line (whitespace is collapsed)
 *   <lang>/<name>.text.hbs      the plain-text part (no escaping)
 *   <lang>/<name>.html.hbs      the HTML part (values are HTML-escaped)
 *   <lang>/partials/<p>.text.hbs, <p>.html.hbs   shared pieces: {{> footer}}, {{#> layout}}…{{/layout}}
 *   <lang>/labels.json          words for statuses and kinds (every key required)
 *
 * Templates are read and compiled once, when the worker starts (loadMailTemplates), and every one is
 * rendered against a full sample context then (validateMailTemplates), so a broken edit stops the
 * worker at start-up with the file's name rather than failing a round's notification later.
 */
export const TEMPLATE_NAMES = [
  'opened',
  'adhoc-announced',
  'reminder',
  'overdue',
  'escalation-head',
  'escalation-above',
  'receipt',
  'late-receipt',
  'extended',
  'closed',
  'estimate-approved',
  'estimate-adjusted',
  'estimate-returned',
  'appraisal-summary',
  'plan-approved',
  'compilation',
  'report-due',
  'report-issued',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];
export const LANGUAGES = ['vi', 'en'] as const satisfies readonly Language[];
const PARTS = ['subject', 'text', 'html'] as const;
type Part = (typeof PARTS)[number];

export const DEFAULT_TEMPLATES_DIR = path.join(REPO_ROOT, 'templates', 'mail');

const OBLIGATION_STATUS_KEYS = ['pending', 'submitted', 'late', 'overdue', 'missing', 'extended', 'not-tracked'] as const;
const ESTIMATE_STATUS_KEYS = ['submitted', 'approved', 'adjusted', 'returned', 'superseded'] as const;
const KIND_KEYS = [
  'opened',
  'adhoc-announced',
  'reminder',
  'overdue',
  'escalation',
  'receipt',
  'late-receipt',
  'extended',
  'closed',
  'estimate-approved',
  'estimate-adjusted',
  'estimate-returned',
  'appraisal-summary',
  'plan-approved',
  'compilation',
  'report-reminder',
  'report-overdue',
  'report-escalation',
  'report-issued',
] as const;

const labelsSchema = z.strictObject({
  status: z.strictObject(Object.fromEntries(OBLIGATION_STATUS_KEYS.map((k) => [k, z.string().min(1)])) as Record<(typeof OBLIGATION_STATUS_KEYS)[number], z.ZodString>),
  estimateStatus: z.strictObject(Object.fromEntries(ESTIMATE_STATUS_KEYS.map((k) => [k, z.string().min(1)])) as Record<(typeof ESTIMATE_STATUS_KEYS)[number], z.ZodString>),
  kind: z.strictObject(Object.fromEntries(KIND_KEYS.map((k) => [k, z.string().min(1)])) as Record<(typeof KIND_KEYS)[number], z.ZodString>),
});
export type Labels = z.infer<typeof labelsSchema>;

export class MailTemplateError extends Error {
  override name = 'MailTemplateError';
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailTemplates {
  dir: string;
  labels(language: Language): Labels;
  render(name: TemplateName, language: Language, context: object): RenderedMail;
}

type Compiled = (context: object) => string;

/**
 * A Handlebars environment whose block helpers refuse a missing argument. Strict mode makes `{{x}}`
 * throw when x is missing, but not `{{#if x}}` or `{{#each x}}` (helper arguments are looked up
 * leniently): a misspelt condition would silently drop a paragraph. Contexts never hold `undefined`
 * (absent values are null), so undefined here can only be a name the context does not have.
 */
function strictEnvironment(): typeof Handlebars {
  const env = Handlebars.create();
  for (const name of ['if', 'unless', 'each', 'with'] as const) {
    const original = env.helpers[name] as Handlebars.HelperDelegate;
    env.registerHelper(name, function (this: unknown, ...args: unknown[]) {
      const options = args[args.length - 1] as Handlebars.HelperOptions & { loc?: { start: { line: number; column: number } } };
      if (args.length === 2 && args[0] === undefined) {
        const where = options.loc ? ` - ${options.loc.start.line}:${options.loc.start.column}` : '';
        throw new Error(`the argument of {{#${name}}} is not defined${where}`);
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    });
  }
  return env;
}

function readRequired(file: string): string {
  if (!existsSync(file)) throw new MailTemplateError(`mail template ${file} is missing`);
  return readFileSync(file, 'utf8');
}

export function loadMailTemplates(dir: string = DEFAULT_TEMPLATES_DIR): MailTemplates {
  const root = path.resolve(REPO_ROOT, dir);
  if (!existsSync(root)) throw new MailTemplateError(`mail templates folder ${root} does not exist (KYBAO_MAIL_TEMPLATES_DIR)`);
  const compiled = new Map<string, Compiled>();
  const labels = new Map<Language, Labels>();

  for (const language of LANGUAGES) {
    const langDir = path.join(root, language);
    const labelsFile = path.join(langDir, 'labels.json');
    let raw: unknown;
    try {
      raw = JSON.parse(readRequired(labelsFile));
    } catch (err) {
      throw new MailTemplateError(`${labelsFile}: ${(err as Error).message}`);
    }
    const parsed = labelsSchema.safeParse(raw);
    if (!parsed.success) {
      throw new MailTemplateError(`${labelsFile}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    labels.set(language, parsed.data);

    // Two environments per language: HTML escapes values, text and subject do not.
    const envs = { html: strictEnvironment(), text: strictEnvironment() };
    const partialsDir = path.join(langDir, 'partials');
    if (existsSync(partialsDir)) {
      for (const file of readdirSync(partialsDir).sort()) {
        const m = /^(.+)\.(text|html)\.hbs$/.exec(file);
        if (!m) continue;
        const [, name, flavour] = m as unknown as [string, string, 'text' | 'html'];
        const source = readFileSync(path.join(partialsDir, file), 'utf8');
        const env = envs[flavour];
        env.registerPartial(name, compile(env, source, flavour === 'text', path.join(langDir, 'partials', file)));
      }
    }
    for (const name of TEMPLATE_NAMES) {
      for (const part of PARTS) {
        const file = path.join(langDir, `${name}.${part}.hbs`);
        const env = part === 'html' ? envs.html : envs.text;
        compiled.set(`${language}/${name}.${part}`, compile(env, readRequired(file), part !== 'html', file));
      }
    }
  }

  return {
    dir: root,
    labels(language) {
      return labels.get(language)!;
    },
    render(name, language, context) {
      const run = (part: Part): string => {
        const template = compiled.get(`${language}/${name}.${part}`);
        if (!template) throw new MailTemplateError(`no mail template ${language}/${name}.${part}.hbs`);
        try {
          return template(context);
        } catch (err) {
          throw new MailTemplateError(`mail template ${path.join(root, language, `${name}.${part}.hbs`)}: ${(err as Error).message}`);
        }
      };
      const subject = run('subject').replace(/\s+/g, ' ').trim();
      if (!subject) throw new MailTemplateError(`mail template ${language}/${name}.subject.hbs rendered an empty subject`);
      return { subject, text: tidyText(run('text')), html: run('html').trim() + '\n' };
    },
  };
}

const cache = new Map<string, MailTemplates>();

/**
 * The templates of a folder, loaded once per process (a worker reads them at start-up; an edit takes
 * effect when the worker restarts, after it has been checked again).
 */
export function mailTemplatesFor(dir: string = DEFAULT_TEMPLATES_DIR): MailTemplates {
  const root = path.resolve(REPO_ROOT, dir);
  let templates = cache.get(root);
  if (!templates) {
    templates = loadMailTemplates(root);
    cache.set(root, templates);
  }
  return templates;
}

function compile(env: typeof Handlebars, source: string, noEscape: boolean, file: string): Compiled {
  try {
    // Parsing now (compile is lazy) reports a syntax error when the templates are loaded.
    env.parse(source);
  } catch (err) {
    throw new MailTemplateError(`mail template ${file}: ${(err as Error).message}`);
  }
  return env.compile(source, { strict: true, noEscape }) as Compiled;
}

/** Trailing spaces off every line, at most one blank line in a row, one newline at the end. */
function tidyText(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.replace(/[ \t]+$/, ''))
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  );
}
