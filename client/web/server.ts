import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { appendAudit } from '../../infra/db/audit-repository';
import { AppError, httpStatusOf, isAppError } from '../../app/errors';
import { nfcDeep } from '../../app/text';
import { identify } from './auth';
import type { WebDeps } from './deps';
import { apiPlugin } from './plugins/api';
import { pagesPlugin } from './plugins/pages';
import { reportApiPlugin } from './plugins/report-api';
import { reportPagesPlugin } from './plugins/report-pages';
import { quoted, tameEchoes } from '../../domain/text/quoted';

/**
 * The kybao web app: fastify with zod schemas (fastify-type-provider-zod) as the single source of the
 * API's types and its OpenAPI document (/api/openapi.json, Swagger UI at /api/docs), security headers
 * (helmet), rate limits on sign-in and agency link routes, signed cookies with CSRF protection on every
 * form, streamed multipart uploads, and the pages. Every state-changing request that succeeds is written
 * to the audit log (who, role, what); refused ones change nothing. Tokens and passwords never reach the
 * logs: the request log shows paths without their query, and no headers.
 */
export interface WebOptions extends WebDeps {
  /** Fastify's logger (default: off). */
  logger?: boolean;
  /** Called for every (method, route) answered: tests use it to check that every route is covered. */
  onRoute?: (method: string, url: string) => void;
}

function redactUrl(url: string): string {
  return url.replace(/([?&](?:t|_csrf)=)[^&]*/g, '$1…');
}

export async function buildWebApp(options: WebOptions): Promise<FastifyInstance> {
  const { c } = options;
  if (!c.env.KYBAO_SESSION_SECRET) throw new AppError('invalid', 'KYBAO_SESSION_SECRET is required by the web app: a random string of at least 32 characters, the same for every web process', 'KYBAO_SESSION_SECRET');
  const app = Fastify({
    logger: options.logger ? { serializers: { req: (req: FastifyRequest) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }) } } : false,
    trustProxy: false,
    // JSON bodies are small; uploads go through multipart with their own limit.
    bodyLimit: 1024 * 1024,
    // Errors the router answers before any route (a malformed URL, a path parameter over 100
    // characters) get the app's error shape too, without repeating the URL they refused.
    frameworkErrors: (error, _req, reply) => {
      const status = error.statusCode ?? 400;
      const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a part of the path is too long (at most 100 characters); check the link' : 'the address is malformed; check the link';
      void (reply as unknown as { code(n: number): { send(body: unknown): unknown } }).code(status).send({ error: { message, field: null } });
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], formAction: ["'self'"], frameAncestors: ["'none'"] },
    },
  });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyCookie, { secret: c.env.KYBAO_SESSION_SECRET });
  await app.register(fastifyCsrf, {
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'strict', path: '/', secure: c.env.KYBAO_BASE_URL.startsWith('https://') },
    getToken: (req) => {
      const b = req.body as { _csrf?: unknown } | undefined;
      const q = req.query as { _csrf?: unknown } | undefined;
      const h = req.headers['x-csrf-token'];
      return (typeof b?._csrf === 'string' && b._csrf) || (typeof q?._csrf === 'string' && q._csrf) || (typeof h === 'string' ? h : '') || '';
    },
  });
  await app.register(fastifyFormbody);
  await app.register(fastifyMultipart, { limits: { fileSize: c.env.KYBAO_UPLOAD_MAX_BYTES + 1, files: 1 } });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'kybao API', description: 'Reporting rounds, submissions, extensions, appraisal, plan approval and audit (Decision 925/QĐ-UBND)', version: '1.0.0' },
      components: { securitySchemes: { session: { type: 'http', scheme: 'bearer', description: 'staff session token (POST /api/session) or an agency link token' } } },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true, uiConfig: { docExpansion: 'list' } });

  // Text from outside is NFC from here on (issue #12 item 4); multipart fields are normalised in app/.
  app.addHook('preValidation', async (req) => {
    if (req.body && typeof req.body === 'object' && !req.isMultipart()) req.body = nfcDeep(req.body);
  });
  app.addHook('onRequest', async (req, reply) => {
    req.caller = await identify(c, req);
    req.agency = null;
    const lang = (req.query as { lang?: unknown } | undefined)?.lang;
    if (lang === 'vi' || lang === 'en') reply.setCookie('lang', lang, { path: '/', sameSite: 'lax', maxAge: 365 * 86400 });
  });
  // State changes with a session cookie need the form's CSRF token; bearer tokens and links cannot be
  // sent by another site, so the API's bearer calls need none.
  app.addHook('preHandler', async (req, reply) => {
    if (req.method === 'GET' || req.method === 'HEAD' || !req.url.startsWith('/api/') || req.caller.via !== 'cookie') return;
    await new Promise<void>((resolve, reject) => app.csrfProtection(req, reply, (err?: Error) => (err ? reject(new AppError('forbidden', 'missing or wrong CSRF token (x-csrf-token header)')) : resolve())));
  });
  // The audit trail of the web app: every state-changing request that succeeded.
  app.addHook('onSend', async (req, reply, payload) => {
    options.onRoute?.(req.method, req.routeOptions.url ?? req.url);
    if (req.method === 'GET' || req.method === 'HEAD' || reply.statusCode >= 400) return payload;
    const route = req.routeOptions.url ?? '';
    if (route === '/api/session' || route === '/login' || route === '/logout') return payload; // signIn/signOut audit themselves
    const params = (req.params ?? {}) as { roundId?: string; unitId?: string };
    const actor = req.caller.staff?.email ?? (req.agency ? `agency:${req.agency.u}` : 'anonymous');
    const role = req.caller.staff?.role ?? (req.agency ? 'agency' : 'anonymous');
    await appendAudit(c.db, {
      at: new Date(c.clock.now()),
      actor,
      action: 'web.request',
      roundId: params.roundId ?? req.agency?.r ?? null,
      unitId: params.unitId ?? req.agency?.u ?? null,
      details: { method: req.method, route, role, status: reply.statusCode },
    });
    return payload;
  });

  app.setErrorHandler((err, req, reply) => {
    const known = isAppError(err)
      ? { status: httpStatusOf(err.code), message: err.message, field: err.field ?? null }
      : hasZodFastifySchemaValidationErrors(err)
        ? {
            status: 400,
            message: err.validation.map((v) => `${[err.validationContext, ...String(v.instancePath).split('/').filter(Boolean)].join('.')}: ${v.message}`).join('; '),
            field: String(err.validation[0]?.instancePath ?? '').split('/').filter(Boolean).pop() ?? err.validationContext ?? null,
          }
        : (err as { statusCode?: number }).statusCode && (err as { statusCode: number }).statusCode < 500
          ? { status: (err as { statusCode: number }).statusCode, message: (err as Error).message, field: null }
          : null;
    if (!known) {
      req.log.error({ err }, 'unexpected error');
      return reply.code(500).send({ error: { message: 'internal error; the server log has the details', field: null } });
    }
    if (known.status === 413 || known.status === 415) reply.header('connection', 'close');
    return reply.code(known.status).send({ error: { message: tameEchoes(known.message), field: known.field } });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { message: `no page ${req.method} ${quoted(req.url.split('?')[0] ?? '')}`, field: null } }));

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process answers' } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { tags: ['health'], summary: 'The database and Temporal answer' } }, async (_req, reply) => {
    const problems: string[] = [];
    await c.db.$queryRawUnsafe('SELECT 1').catch((e: Error) => problems.push(`database: ${e.message.split('\n')[0]}`));
    await c.temporal.workflowService.getSystemInfo({}).catch((e: Error) => problems.push(`temporal: ${e.message.split('\n')[0]}`));
    return reply.code(problems.length ? 503 : 200).send({ ok: problems.length === 0, problems });
  });

  await app.register(async (scope) => apiPlugin(scope, options));
  await app.register(async (scope) => pagesPlugin(scope, options));
  await app.register(async (scope) => reportApiPlugin(scope, options));
  await app.register(async (scope) => reportPagesPlugin(scope, options));
  return app;
}
