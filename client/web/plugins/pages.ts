import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { startAdhocRound } from '../../../app/adhoc';
import { formDataFromFields, obligationView } from '../../../app/agency';
import { decideEstimate, listEstimates, type DecisionInput } from '../../../app/appraisal';
import { replayWorkflow, timelineOf } from '../../../app/audit';
import { AppError, httpStatusOf, isAppError } from '../../../app/errors';
import { saveDraft } from '../../../app/form-drafts';
import { grantExtensionRequest, listExtensionRequests, refuseExtensionRequest, requestExtension } from '../../../app/extensions';
import { parseAmount, parseList, parseYear } from '../../../app/input';
import { approvePlan, planView } from '../../../app/plan-approval';
import { resendReminder, undeliveredMail } from '../../../app/reminders';
import type { Permission, StaffRole } from '../../../app/roles';
import { collectYear, ratesByCategory, roundStatuses, timelinessByQuarter, type RoundView, type UnitStatusCell } from '../../../app/status';
import { signIn, signOut } from '../../../app/users';
import { CATEGORY_LABELS, CATEGORY_ORDER, quarterLabel } from '../../../domain/compilation/labels';
import type { UnitCategory } from '../../../domain/program/ids';
import { unitIndexOf } from '../../../domain/program/unit-index';
import { AGENCY_COOKIE, SESSION_COOKIE, linkTokenOf, requireAgency, requireStaff, setCookie } from '../auth';
import type { WebDeps } from '../deps';
import { formBody } from '../form-body';
import { translate } from '../i18n';
import { guardedPage, problemText } from '../page-problems';
import { createRenderer, langOf } from '../render';
import { submitFromRequest } from './api';

/**
 * The pages, one small group per kind of user: the agency page (from the mail's link), the
 * coordinator's dashboard, the appraiser's, the approver's and the auditor's. Forms post with a CSRF
 * token and answer with a redirect (post/redirect/get) or the page again with the problem.
 */
const HOME: Record<StaffRole, string> = { coordinator: '/coordinator', appraiser: '/appraiser', approver: '/approver', auditor: '/auditor' };
const AGENCY_COOKIE_SECONDS = 2 * 3600;
/** Units per page of the dashboard's matrix: a province's few hundred fit on one, 10,000 do not. */
export const MATRIX_PAGE_UNITS = 200;


export async function pagesPlugin(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const { c, program } = deps;
  const view = createRenderer(program.timeZone);
  const currentYear = () => DateTime.fromMillis(c.clock.now(), { zone: program.timeZone }).year;
  const hide = { schema: { hide: true } };
  const csrf = (reply: FastifyReply) => reply.generateCsrf();
  const yearOf = (req: FastifyRequest) => {
    const y = (req.query as { year?: string }).year;
    return y ? parseYear(y) : currentYear();
  };
  /** `?page=N` of the dashboard's matrix (1-based); a page past the last shows the last. */
  const pageOf = (req: FastifyRequest, pages: number) => {
    const p = (req.query as { page?: string }).page;
    if (p === undefined || p === '') return 1;
    if (!/^[0-9]{1,6}$/.test(p) || Number(p) < 1) throw new AppError('invalid', `page ${JSON.stringify(p.slice(0, 20))}: give a whole number from 1 (the matrix has ${pages} pages)`, 'page');
    return Math.min(Number(p), pages);
  };

  const guarded = guardedPage(view);
  const staffPage = (permission: Permission) => (req: FastifyRequest) => requireStaff(req, permission);

  app.get('/', hide, async (req, reply) => reply.redirect(req.caller.staff ? HOME[req.caller.staff.role] : '/login', 303));
  app.get('/static/kybao.css', hide, async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send((await import('../static')).CSS));

  // ------------------------------------------------------------------------------------ sign-in
  app.get('/login', hide, async (req, reply) => view.page(req, reply, 'login', { pageTitle: translate(langOf(req), 'signIn'), csrf: csrf(reply) }));
  app.post(
    '/login',
    { ...hide, config: { rateLimit: { max: c.env.KYBAO_RATE_LIMIT_LOGIN, timeWindow: '1 minute' } }, preHandler: app.csrfProtection },
    async (req, reply) => {
      try {
        const s = await signIn(c.db, { email: formBody(req).email ?? '', password: formBody(req).password ?? '', hours: c.env.KYBAO_SESSION_HOURS }, c.clock);
        setCookie(reply, c, SESSION_COOKIE, s.token, { maxAgeSeconds: c.env.KYBAO_SESSION_HOURS * 3600 });
        return reply.redirect(HOME[s.user.role], 303);
      } catch (err) {
        if (!isAppError(err)) throw err;
        return view.page(req, reply, 'login', { pageTitle: translate(langOf(req), 'signIn'), csrf: csrf(reply), problem: err.message }, httpStatusOf(err.code));
      }
    },
  );
  app.post('/logout', { ...hide, preHandler: app.csrfProtection }, async (req, reply) => {
    if (req.caller.sessionToken) await signOut(c.db, req.caller.sessionToken, c.clock);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });

  // ------------------------------------------------------------------------------------- agency
  const agencyBase = (roundId: string, unitId: string) => `/rounds/${encodeURIComponent(roundId)}/units/${encodeURIComponent(unitId)}`;
  const linkLimit = { rateLimit: { max: c.env.KYBAO_RATE_LIMIT_LINK, timeWindow: '1 minute' } };
  const agencyPage = async (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const claims = await requireAgency(c, req);
    const found = linkTokenOf(req);
    // Opening the link leaves a short-lived cookie for this page only, so forms need not carry the token.
    if (found && found.from !== 'cookie') setCookie(reply, c, AGENCY_COOKIE, found.token, { path: agencyBase(claims.r, claims.u), maxAgeSeconds: AGENCY_COOKIE_SECONDS, sameSite: 'lax' });
    const typed = extra.typed as Record<string, string> | undefined;
    const ob = await obligationView(c.db, program, claims.r, claims.u, c.clock.now(), typed ? { typed } : {});
    const canExtend = ob.roundOpen && ['pending', 'overdue', 'extended'].includes(ob.status) && !ob.submissions.length;
    return view.page(
      req,
      reply,
      'agency',
      { pageTitle: ob.unitName[langOf(req)], ob, canExtend, base: agencyBase(claims.r, claims.u), csrf: csrf(reply), accept: c.env.KYBAO_UPLOAD_TYPES.map((t) => `.${t}`).join(','), ...extra },
      status,
    );
  };
  app.get('/rounds/:roundId/units/:unitId', { ...hide, config: linkLimit }, guarded(async (req, reply) => agencyPage(req, reply)));
  app.post(
    '/rounds/:roundId/units/:unitId/submit',
    { ...hide, config: linkLimit },
    guarded(async (req, reply) => {
      const claims = await requireAgency(c, req);
      // Multipart bodies are streamed, so the CSRF token comes in the form's URL (?_csrf=…).
      await new Promise<void>((resolve, reject) => app.csrfProtection(req, reply, (err?: Error) => (err ? reject(new AppError('forbidden', 'the form has expired; reload the page and send again')) : resolve())));
      try {
        const receipt = await submitFromRequest(deps, req, claims.u);
        return agencyPage(req, reply, { receipt, message: translate(langOf(req), 'done') });
      } catch (err) {
        if (!isAppError(err)) throw err;
        reply.header('connection', 'close');
        return agencyPage(req, reply, { problem: err.message }, httpStatusOf(err.code));
      }
    }),
  );
  // "Save draft" posts the same form as "Send" (formaction, urlencoded, no file): the values are checked
  // for type and bounds and kept for this unit only; nothing reaches the round (app/form-drafts.ts).
  app.post(
    '/rounds/:roundId/units/:unitId/draft',
    { ...hide, config: linkLimit, preHandler: app.csrfProtection },
    guarded(async (req, reply) => {
      const claims = await requireAgency(c, req);
      const fields = Object.fromEntries(Object.entries(formBody(req)).filter(([k, v]) => typeof v === 'string' && /^(ind|sec)\./.test(k))) as Record<string, string>;
      try {
        await saveDraft(c, { program, roundId: claims.r, unitId: claims.u, formData: formDataFromFields(fields) ?? {}, by: `agency:${claims.u}` });
        return reply.redirect(agencyBase(claims.r, claims.u), 303);
      } catch (err) {
        if (!isAppError(err)) throw err;
        return agencyPage(req, reply, { problem: err.message, typed: fields }, httpStatusOf(err.code));
      }
    }),
  );
  app.post(
    '/rounds/:roundId/units/:unitId/extension',
    { ...hide, config: linkLimit, preHandler: app.csrfProtection },
    guarded(async (req, reply) => {
      const claims = await requireAgency(c, req);
      try {
        const until = formBody(req).until ?? '';
        await requestExtension(c, { program, roundId: claims.r, unitId: claims.u, until, reason: formBody(req).reason ?? '', by: `agency:${claims.u}` });
        return reply.redirect(agencyBase(claims.r, claims.u), 303);
      } catch (err) {
        if (!isAppError(err)) throw err;
        return agencyPage(req, reply, { problem: err.message }, httpStatusOf(err.code));
      }
    }),
  );

  // -------------------------------------------------------------------------------- coordinator
  const coordinatorPage = async (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const staff = staffPage('status.view')(req);
    // Auditors read the dashboard too; the forms are the coordinator's only.
    const canAct = staff.role === 'coordinator';
    const year = yearOf(req);
    // Counts and rates per round, then each round's cells (two columns); the table shows a page of units,
    // the category rates are over all of them.
    const y = await collectYear(c, program, year, undefined, { units: false });
    const withCells: Array<Omit<RoundView, 'units'> & { units: UnitStatusCell[]; unitCount: number }> = [];
    for (const r of y.rounds) {
      if (r.source !== 'database' || r.kind === 'budget-revision') continue;
      const units = await roundStatuses(c.db, r.roundId);
      if (units.length) withCells.push({ ...r, units, unitCount: units.length });
    }
    const cells = withCells.map((r) => new Map(r.units.map((u) => [u.unitId, u.status])));
    const unitIds = program.units.map((u) => u.id).filter((id) => cells.some((m) => m.has(id)));
    const pages = Math.max(1, Math.ceil(unitIds.length / MATRIX_PAGE_UNITS));
    const page = pageOf(req, pages);
    const units = unitIndexOf(program).byId;
    const matrix = unitIds.slice((page - 1) * MATRIX_PAGE_UNITS, page * MATRIX_PAGE_UNITS).map((unitId) => ({
      unitId,
      unitName: units.get(unitId)?.name,
      cells: withCells.map((r, i) => {
        const status = cells[i]!.get(unitId) ?? 'not-in-round';
        return { roundId: r.roundId, status, resend: canAct && r.state === 'open' && ['pending', 'overdue', 'extended'].includes(status) };
      }),
    }));
    const shown = withCells.map(({ units: _units, ...r }) => r);
    const quarters = await timelinessByQuarter(c.db, program.id);
    const chart = {
      width: Math.max(100, quarters.length * 20 + 10),
      bars: quarters.map((q, i) => ({ x: 5 + i * 20, h: Math.round((q.timelinessRate ?? 0) * 100), y: 105 - Math.round((q.timelinessRate ?? 0) * 100), rate: q.timelinessRate, label: quarterLabel(q.quarter, q.year), short: `${String(q.year).slice(2)}Q${q.quarter}` })),
    };
    return view.page(
      req,
      reply,
      'coordinator',
      {
        pageTitle: translate(langOf(req), 'dashboard'),
        year,
        rounds: shown,
        matrix,
        // In the decision's order, named as the compiled reports name them.
        categories: ratesByCategory(program, { rounds: withCells })
          .map((r) => ({ ...r, label: CATEGORY_LABELS[r.category as UnitCategory] ?? { vi: r.category, en: r.category } }))
          .sort((a, b) => CATEGORY_ORDER.indexOf(a.category as UnitCategory) - CATEGORY_ORDER.indexOf(b.category as UnitCategory)),
        pager: pages > 1 ? { page, pages, units: unitIds.length, previous: page > 1 ? page - 1 : null, next: page < pages ? page + 1 : null } : null,
        chart,
        canAct,
        // By the unit's name and the round's title (the request carries their ids).
        requests: (await listExtensionRequests(c, { status: 'pending' })).map((r) => ({ ...r, unitName: units.get(r.unitId)?.name, roundTitle: y.rounds.find((x) => x.roundId === r.roundId)?.title })),
        undelivered: await undeliveredMail(c.db, { limit: 20 }),
        csrf: csrf(reply),
        ...extra,
      },
      status,
    );
  };
  /** A coordinator's form: do it, then back to the dashboard; a refusal shows the dashboard with the reason. */
  const coordinatorAction = (permission: Permission, act: (req: FastifyRequest, by: string) => Promise<unknown>) =>
    guarded(async (req, reply) => {
      const staff = requireStaff(req, permission);
      try {
        await act(req, staff.email);
        return reply.redirect('/coordinator?done=1', 303);
      } catch (err) {
        if (!isAppError(err) || err.code === 'forbidden' || err.code === 'unauthorized') throw err;
        return coordinatorPage(req, reply, { problem: problemText(langOf(req), err) }, httpStatusOf(err.code));
      }
    });
  app.get('/coordinator', hide, guarded(async (req, reply) => coordinatorPage(req, reply, (req.query as { done?: string }).done ? { message: translate(langOf(req), 'done') } : {})));
  app.post(
    '/coordinator/adhoc',
    { ...hide, preHandler: app.csrfProtection },
    coordinatorAction('round.adhoc', (req, by) => {
      const b = formBody(req);
      return startAdhocRound(c, { program, title: b.title ?? '', deadline: b.deadline ?? '', units: b.units?.trim() ? { unitIds: parseList(b.units) } : { all: true }, by });
    }),
  );
  app.post(
    '/coordinator/extension-requests/:id/grant',
    { ...hide, preHandler: app.csrfProtection },
    coordinatorAction('extension.decide', (req, by) => grantExtensionRequest(c, { program, id: Number((req.params as { id: string }).id), by })),
  );
  app.post(
    '/coordinator/extension-requests/:id/refuse',
    { ...hide, preHandler: app.csrfProtection },
    coordinatorAction('extension.decide', (req, by) => refuseExtensionRequest(c, { id: Number((req.params as { id: string }).id), by, reason: formBody(req).reason ?? '' })),
  );
  app.post(
    '/coordinator/resend',
    { ...hide, preHandler: app.csrfProtection },
    coordinatorAction('reminder.resend', (req, by) => resendReminder(c.db, { roundId: formBody(req).roundId ?? '', unitId: formBody(req).unitId ?? '', by }, c.clock)),
  );

  // ---------------------------------------------------------------------------------- appraiser
  const appraiserPage = async (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const staff = staffPage('estimate.view')(req);
    const year = (extra.year as number | undefined) ?? yearOf(req);
    const { phase, estimates } = await listEstimates(c, program, year);
    const canAct = staff.role === 'appraiser';
    return view.page(req, reply, 'appraiser', { pageTitle: translate(langOf(req), 'estimates'), year, phase, estimates, canAct, csrf: csrf(reply), ...extra }, status);
  };
  app.get('/appraiser', hide, guarded(async (req, reply) => appraiserPage(req, reply, (req.query as { done?: string }).done ? { message: translate(langOf(req), 'done') } : {})));
  app.post(
    '/appraiser/decide',
    { ...hide, preHandler: app.csrfProtection },
    guarded(async (req, reply) => {
      const staff = requireStaff(req, 'estimate.decide');
      const b = formBody(req);
      const year = parseYear(b.year ?? '');
      try {
        const decision: DecisionInput =
          b.decision === 'approve'
            ? { decision: 'approve' }
            : b.decision === 'adjust'
              ? { decision: 'adjust', amountVnd: parseAmount(b.amountVnd ?? ''), reason: b.reason ?? '' }
              : { decision: 'return', reason: b.reason ?? '' };
        await decideEstimate(c, { program, year, unitId: b.unitId ?? '', by: staff.email, ...decision });
        return reply.redirect(`/appraiser?year=${year}&done=1`, 303);
      } catch (err) {
        if (!isAppError(err)) throw err;
        return appraiserPage(req, reply, { year, problem: problemText(langOf(req), err) }, httpStatusOf(err.code));
      }
    }),
  );

  // ----------------------------------------------------------------------------------- approver
  const approverPage = async (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const staff = staffPage('plan.view')(req);
    const canAct = staff.role === 'approver';
    const year = (extra.year as number | undefined) ?? yearOf(req);
    const plan = await planView(c, program, year).catch((err: unknown) => {
      if (isAppError(err) && err.code === 'not-found') return null;
      throw err;
    });
    return view.page(req, reply, 'approver', { pageTitle: translate(langOf(req), 'approvePlan'), year, plan, canAct, csrf: csrf(reply), ...extra }, status);
  };
  app.get('/approver', hide, guarded(async (req, reply) => approverPage(req, reply)));
  app.post(
    '/approver/approve',
    { ...hide, preHandler: app.csrfProtection },
    guarded(async (req, reply) => {
      const staff = requireStaff(req, 'plan.approve');
      const year = parseYear(formBody(req).year ?? '');
      try {
        await approvePlan(c, { program, year, ...(formBody(req).note ? { note: formBody(req).note } : {}), by: staff.email });
        return reply.redirect(`/approver?year=${year}`, 303);
      } catch (err) {
        if (!isAppError(err)) throw err;
        return approverPage(req, reply, { year, problem: problemText(langOf(req), err) }, httpStatusOf(err.code));
      }
    }),
  );

  // ------------------------------------------------------------------------------------ auditor
  app.get(
    '/auditor',
    hide,
    guarded(async (req, reply) => {
      staffPage('audit.read')(req);
      const q = req.query as { workflow?: string; replay?: string };
      const workflow = q.workflow?.trim() ?? '';
      const entries = workflow ? (await timelineOf(c, workflow)).entries : [];
      const replay = workflow && q.replay ? await replayWorkflow(c.temporal, workflow, deps.replayBundle ? { workflowBundle: deps.replayBundle } : {}) : null;
      return view.page(req, reply, 'auditor', { pageTitle: translate(langOf(req), 'timeline'), workflow, entries, replay, replayAsked: !!q.replay, csrf: csrf(reply) });
    }),
  );
}
