import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { allows } from '../../app/roles';
import { duration, fileSize, percent } from '../../domain/text/format';
import { translate, type Lang } from './i18n';

/**
 * Server-rendered pages: Handlebars templates in ./views, one layout, helpers for the words (t), local
 * times in the program's zone (time), money (vnd), rates (pct), durations and file sizes (bytes). Values
 * are escaped by Handlebars; nothing a user typed is ever inserted unescaped.
 */
const VIEWS = path.join(__dirname, 'views');

export interface PageRenderer {
  page(req: FastifyRequest, reply: FastifyReply, view: string, data: Record<string, unknown>, status?: number): FastifyReply;
}

export function langOf(req: FastifyRequest): Lang {
  const q = (req.query as { lang?: unknown } | undefined)?.lang;
  if (q === 'en' || q === 'vi') return q;
  return req.cookies.lang === 'en' ? 'en' : 'vi';
}

export function createRenderer(zone: string): PageRenderer {
  const hb = Handlebars.create();
  const templates = new Map<string, Handlebars.TemplateDelegate>();
  for (const f of readdirSync(VIEWS)) if (f.endsWith('.hbs')) templates.set(f.slice(0, -4), hb.compile(readFileSync(path.join(VIEWS, f), 'utf8'), { strict: false }));
  hb.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
    return translate((options.data.root as { lang: Lang }).lang, key);
  });
  hb.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('join', (lines: unknown, sep: unknown) => (Array.isArray(lines) ? lines.join(typeof sep === 'string' ? sep : '\n') : ''));
  hb.registerHelper('enc', (s: string) => encodeURIComponent(s));
  hb.registerHelper('name', function (this: unknown, text: { vi: string; en: string } | undefined, options: Handlebars.HelperOptions) {
    return text ? text[(options.data.root as { lang: Lang }).lang] : '';
  });
  hb.registerHelper('time', (iso: string | number | null | undefined) => {
    if (iso === null || iso === undefined || iso === '') return '';
    const dt = typeof iso === 'number' ? DateTime.fromMillis(iso, { zone }) : DateTime.fromISO(iso, { zone });
    return dt.isValid ? dt.toFormat('dd/MM/yyyy HH:mm') : String(iso);
  });
  // "Draft saved at 09:05": the time alone, in the program's zone whatever the server's.
  hb.registerHelper('hhmm', (iso: string | null | undefined) => {
    const dt = iso ? DateTime.fromISO(iso, { zone }) : null;
    return dt?.isValid ? dt.toFormat('HH:mm') : '';
  });
  hb.registerHelper('date', (iso: string | null | undefined) => {
    const dt = iso ? DateTime.fromISO(iso, { zone }) : null;
    return dt?.isValid ? dt.toFormat('dd/MM/yyyy') : '';
  });
  hb.registerHelper('vnd', (amount: string | null | undefined) => (amount ? amount.replace(/\B(?=(\d{3})+(?!\d))/g, '.') : ''));
  // The model's decimal strings ("1250000.5"), grouped as each language writes them; exact for big VND.
  hb.registerHelper('num', function (this: unknown, decimal: string | null | undefined, options: Handlebars.HelperOptions) {
    if (decimal === null || decimal === undefined || decimal === '') return '–';
    const [whole = '0', fraction] = decimal.split('.');
    const vi = (options.data.root as { lang: Lang }).lang === 'vi';
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, vi ? '.' : ',');
    return fraction === undefined ? grouped : `${grouped}${vi ? ',' : '.'}${fraction}`;
  });
  // Rates, durations and sizes in the page's language, worded as the mails word them (domain/text/format.ts).
  const langOfPage = (options: Handlebars.HelperOptions) => (options.data.root as { lang: Lang }).lang;
  hb.registerHelper('pct', function (this: unknown, rate: number | null | undefined, options: Handlebars.HelperOptions) {
    return rate === null || rate === undefined ? '–' : percent(rate, langOfPage(options));
  });
  hb.registerHelper('duration', function (this: unknown, ms: number | null | undefined, options: Handlebars.HelperOptions) {
    return duration(ms ?? 0, langOfPage(options));
  });
  hb.registerHelper('bytes', function (this: unknown, size: number | null | undefined, options: Handlebars.HelperOptions) {
    return size === null || size === undefined ? '' : fileSize(size, langOfPage(options));
  });

  return {
    page(req, reply, view, data, status = 200) {
      const lang = langOf(req);
      const template = templates.get(view);
      if (!template) throw new Error(`no view ${view}`);
      // The language switch keeps the page's own query (year, workflow…), never a link token.
      const url = new URL(req.url, 'http://x');
      url.searchParams.delete('t');
      url.searchParams.delete('_csrf');
      url.searchParams.set('lang', lang === 'vi' ? 'en' : 'vi');
      const staff = req.caller?.staff ?? null;
      const root = { ...data, lang, langHref: `${url.pathname}${url.search}`, staff, reportsLink: staff !== null && allows(staff.role, 'report.view') };
      const body = template(root);
      const html = templates.get('layout')!({ ...root, body });
      return reply.code(status).type('text/html; charset=utf-8').send(html);
    },
  };
}
