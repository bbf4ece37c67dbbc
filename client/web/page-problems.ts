import type { FastifyReply, FastifyRequest } from 'fastify';
import { httpStatusOf, isAppError, type AppError } from '../../app/errors';
import { LocalizedProblem } from './localized-problem';
import { translate, type Lang } from './i18n';
import { langOf, type PageRenderer } from './render';

/**
 * How a page says that something was refused: one rule for every page plugin, so an agency, a
 * coordinator and an auditor read a refusal the same way.
 */

/**
 * A refusal as a staff page shows it: in the user's language, what kind of refusal it is, then the
 * application layer's own sentence (which names what to do). Never a stack trace. An agency's pages show
 * the sentence alone: "sign in first" or "you may not do this" would mislead someone who has no account.
 */
export function problemText(lang: Lang, err: AppError): string {
  if (err instanceof LocalizedProblem) return err.message;
  return `${translate(lang, `err_${err.code}`)}: ${err.message}`;
}

/**
 * Wraps a page handler: an AppError becomes the error page in the user's language with its HTTP status
 * (`httpStatusOf`), and "sign in first" becomes a redirect to /login — except on an agency's link
 * (`/rounds/…`): an agency has no account, its link is its identity, so a bad or expired link is
 * explained on the page instead, in the application layer's own words. Any other error is rethrown to
 * Fastify's handler (500, logged).
 */
export function guardedPage(view: PageRenderer) {
  return (fn: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      try {
        return await fn(req, reply);
      } catch (err) {
        if (!isAppError(err)) throw err;
        if (err.code === 'unauthorized' && !req.url.startsWith('/rounds/')) return reply.redirect('/login', 303);
        const lang = langOf(req);
        const problem = req.url.startsWith('/rounds/') ? err.message : problemText(lang, err);
        return view.page(req, reply, 'error', { pageTitle: translate(lang, 'error'), problem, csrf: reply.generateCsrf() }, httpStatusOf(err.code));
      }
    };
}
