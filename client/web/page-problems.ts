import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, httpStatusOf, isAppError } from '../../app/errors';
import { translate, type Lang } from './i18n';
import { langOf, type PageRenderer } from './render';

/**
 * How a page says that something was refused: one rule for every page plugin, so an agency, a
 * coordinator and an auditor read a refusal the same way.
 */

/** An AppError whose message is already in the user's language (a form read at the edge). */
export class LocalizedProblem extends AppError {
  readonly localized = true;
}

/**
 * A refusal as the page shows it: in the user's language, what kind of refusal it is, then the
 * application layer's own sentence (which names what to do). Never a stack trace.
 */
export function problemText(lang: Lang, err: AppError): string {
  if (err instanceof LocalizedProblem) return err.message;
  return `${translate(lang, `err_${err.code}`)}: ${err.message}`;
}

/**
 * Wraps a page handler: an AppError becomes the error page in the user's language with its HTTP status
 * (`httpStatusOf`), and "sign in first" becomes a redirect to /login — except on an agency's link
 * (`/rounds/…`): an agency has no account, its link is its identity, so a bad or expired link is
 * explained on the page instead. Any other error is rethrown to Fastify's handler (500, logged).
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
        return view.page(req, reply, 'error', { pageTitle: translate(lang, 'error'), problem: problemText(lang, err), csrf: reply.generateCsrf() }, httpStatusOf(err.code));
      }
    };
}
