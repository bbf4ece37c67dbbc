import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../../app/context';
import { AppError, httpStatusOf, isAppError } from '../../../app/errors';
import { parseYear } from '../../../app/input';
import type { Permission } from '../../../app/roles';
import { editCompiledReport, issueCompiledReport, listCompiledReports, recompileCompiledReport, showCompiledReport } from '../../../app/compiled-reports';
import { documentNumber, REPORT_TEXT_MAX_CHARS } from '../../../domain/compilation/lifecycle';
import { requireReportReader } from '../report-access';
import { readEditsForm, readIssueForm } from '../compiled-report-forms';
import { guardedPage, problemText } from '../page-problems';
import type { WebDeps } from '../deps';
import { formBody } from '../form-body';
import { translate, translateWith } from '../i18n';
import { createRenderer, langOf } from '../render';

/**
 * The Reports section (issue #15): the program's compiled reports, one page each with the compiled
 * model's key parts and its documents. The coordinator edits a draft's introduction and conclusions,
 * issues it (number, signer; a confirmation step) or recompiles it; an auditor sees the same pages
 * without forms, and every POST refuses them (403). Agencies and the other staff roles get 403.
 */

/** Reports per page of the list: a program of seven years has about 50. */
export const REPORTS_PAGE_SIZE = 20;


export async function reportPagesPlugin(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const { c, program } = deps;
  const view = createRenderer(program.timeZone);
  const hide = { schema: { hide: true } };
  const csrf = (reply: FastifyReply) => reply.generateCsrf();
  const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;

  const guarded = guardedPage(view);
  const reader = (req: FastifyRequest, permission: Permission = 'report.view') => requireReportReader(req, permission);
  const actorOf = (staff: ReturnType<typeof reader>): Actor => ({ id: staff.email, role: staff.role });
  /** The report in full through the application layer; a report of another program is not found. */
  const shown = (req: FastifyRequest, staff: ReturnType<typeof reader>) => showCompiledReport(c, { actor: actorOf(staff), id: idOf(req), programId: program.id, warn: (m) => req.log.warn(m) });

  const listPage = async (req: FastifyRequest, reply: FastifyReply) => {
    const staff = reader(req);
    const q = req.query as { year?: string; page?: string };
    const year = q.year ? parseYear(q.year) : null;
    const all = await listCompiledReports(c, { actor: actorOf(staff), programId: program.id });
    const years = [...new Set(all.flatMap((r) => (r.fromYear === r.toYear ? [r.fromYear] : [r.fromYear, r.toYear])))].sort((a, b) => b - a);
    // Newest period first: the coordinator's work is at the top.
    const chosen = all.filter((r) => year === null || (r.fromYear <= year && year <= r.toYear)).reverse();
    const pages = Math.max(1, Math.ceil(chosen.length / REPORTS_PAGE_SIZE));
    if (q.page !== undefined && q.page !== '' && (!/^[0-9]{1,6}$/.test(q.page) || Number(q.page) < 1))
      throw new AppError('invalid', `page ${JSON.stringify(q.page.slice(0, 20))}: give a whole number from 1 (the list has ${pages} pages)`, 'page');
    const page = Math.min(Number(q.page || 1), pages);
    const reports = chosen.slice((page - 1) * REPORTS_PAGE_SIZE, page * REPORTS_PAGE_SIZE);
    return view.page(req, reply, 'reports', {
      pageTitle: translate(langOf(req), 'reports'),
      reports,
      years,
      year,
      canAct: staff.role === 'coordinator',
      pager: pages > 1 ? { page, pages, total: chosen.length, previous: page > 1 ? page - 1 : null, next: page < pages ? page + 1 : null } : null,
      csrf: csrf(reply),
    });
  };

  /** The report's page; `extra` carries a problem or a notice, and the forms as the user left them. */
  const reportPage = async (req: FastifyRequest, reply: FastifyReply, extra: { problem?: string; message?: string; form?: Record<string, string> } = {}, status = 200) => {
    const staff = reader(req);
    const r = await shown(req, staff);
    const canAct = staff.role === 'coordinator';
    const form = {
      introduction: r.introduction,
      conclusions: r.conclusions,
      number: '',
      signerTitle: r.signer.title.join('\n'),
      signerName: r.signer.name ?? '',
      ...extra.form,
    };
    return view.page(
      req,
      reply,
      'report',
      {
        pageTitle: r.title[langOf(req)],
        r,
        canAct,
        // Writes go to the report's workflow: without one running (a report compiled before reports were
        // obligations, or one whose workflow has ended) the forms would only be refused, so they are not shown.
        editable: canAct && r.status === 'draft' && r.workflow?.running === true,
        noWorkflow: canAct && r.status === 'draft' && r.workflow?.running !== true,
        issued: r.status === 'issued',
        form,
        maxChars: REPORT_TEXT_MAX_CHARS,
        maxCharsNote: translateWith(langOf(req), 'charsMax', { max: REPORT_TEXT_MAX_CHARS.toLocaleString(langOf(req) === 'vi' ? 'vi-VN' : 'en-GB') }),
        csrf: csrf(reply),
        ...(extra.problem ? { problem: extra.problem } : {}),
        ...(extra.message ? { message: extra.message } : {}),
      },
      status,
    );
  };

  app.get('/reports', hide, guarded(listPage));
  app.get('/reports/:id', hide, guarded(async (req, reply) => reportPage(req, reply, (req.query as { done?: string }).done ? { message: translate(langOf(req), 'done') } : {})));

  // ------------------------------------------------------------------------------ the coordinator's forms
  /**
   * A form on a report: the role first (an auditor gets 403 whatever the form holds), then the action
   * through the application layer (the report's workflow), then back to the report (post/redirect/get).
   * A refusal shows the report again, the problem in the user's language and the form as it was filled.
   */
  const reportAction = (permission: Permission, act: (req: FastifyRequest, reply: FastifyReply, actor: Actor) => Promise<FastifyReply | null>) =>
    guarded(async (req, reply) => {
      const staff = reader(req, permission);
      try {
        return (await act(req, reply, actorOf(staff))) ?? reply.redirect(`/reports/${encodeURIComponent(idOf(req))}?done=1`, 303);
      } catch (err) {
        if (!isAppError(err) || err.code === 'forbidden' || err.code === 'unauthorized' || err.code === 'not-found') throw err;
        const form = Object.fromEntries(Object.entries(formBody(req)).filter(([k, v]) => k !== '_csrf' && k !== 'confirm' && typeof v === 'string')) as Record<string, string>;
        return reportPage(req, reply, { problem: problemText(langOf(req), err), form }, httpStatusOf(err.code));
      }
    });
  const withCsrf = { ...hide, preHandler: app.csrfProtection };

  app.post(
    '/reports/:id/texts',
    withCsrf,
    reportAction('report.edit', async (req, _reply, actor) => {
      const edits = readEditsForm(langOf(req), formBody(req));
      await editCompiledReport(c, { actor, id: idOf(req), ...edits });
      return null;
    }),
  );
  // Issuing cannot be undone: the first post shows what will be issued, the second (confirm=yes) issues.
  app.post(
    '/reports/:id/issue',
    withCsrf,
    reportAction('report.issue', async (req, reply, actor) => {
      const issue = readIssueForm(langOf(req), formBody(req));
      if (formBody(req).confirm !== 'yes') {
        const r = await showCompiledReport(c, { actor, id: idOf(req), programId: program.id, warn: (m) => req.log.warn(m) });
        return view.page(req, reply, 'report-issue', { pageTitle: translate(langOf(req), 'confirmIssue'), r, issue, documentNumber: documentNumber(issue.number, r.model.issuing.symbol), csrf: csrf(reply) });
      }
      await issueCompiledReport(c, { actor, id: idOf(req), ...issue });
      return null;
    }),
  );
  app.post(
    '/reports/:id/recompile',
    withCsrf,
    reportAction('report.edit', async (req, _reply, actor) => {
      await recompileCompiledReport(c, { actor, id: idOf(req) });
      return null;
    }),
  );
}
