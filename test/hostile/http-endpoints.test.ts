import fc from 'fast-check';
import type { OpenAPIV3 } from 'openapi-types';
import { useWebBed } from '../helpers/web-bed';
import { anyText, nearMiss, notAnObject, oversized, runs, wrongType } from './arbitraries';

/**
 * Every HTTP endpoint of the web app (the API routes from its own OpenAPI document, and the pages) gets
 * generated hostile requests through fastify's `inject`: path parameters that are near-misses of real ids,
 * Unicode-tricky, "../" or 4 kB long; query values and JSON bodies of the wrong type, oversized,
 * malformed JSON, a body that is not an object; as a signed-in coordinator (so validation, not only
 * authentication, is reached), with a forged bearer token, or anonymously. None may crash the app (no 5xx),
 * every refusal is a short JSON message (API) or a page, and nothing is written: the database's row counts
 * and the files stored are the same afterwards.
 */
const P = 'qd-925-thai-binh';

/** A path part as a client sends it; a lone surrogate (not encodable) goes out as invalid UTF-8 bytes. */
function encodePart(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return `%ED%A0%80${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, ''))}`;
  }
}

/** The page routes (hidden from the OpenAPI document). */
const PAGES: Array<[string, string]> = [
  ['GET', '/'],
  ['GET', '/login'],
  ['POST', '/login'],
  ['POST', '/logout'],
  ['GET', '/rounds/:roundId/units/:unitId'],
  ['POST', '/rounds/:roundId/units/:unitId/submit'],
  ['POST', '/rounds/:roundId/units/:unitId/extension'],
  ['GET', '/coordinator'],
  ['POST', '/coordinator/adhoc'],
  ['POST', '/coordinator/resend'],
  ['GET', '/appraiser'],
  ['POST', '/appraiser/decide'],
  ['GET', '/approver'],
  ['POST', '/approver/approve'],
  ['GET', '/auditor'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
];

describe('every HTTP endpoint refuses hostile requests (fastify inject, property-based)', () => {
  const bed = useWebBed({ env: { KYBAO_UPLOAD_MAX_BYTES: String(64 * 1024) } });

  it('never answers 5xx, refuses with a short message, writes nothing', async () => {
    const { app, world, users } = bed();
    const login = await app.inject({ method: 'POST', url: '/api/session', payload: { email: users.coordinator.email, password: users.coordinator.password } });
    expect(login.statusCode).toBe(200);
    const token = (login.json() as { token: string }).token;

    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as OpenAPIV3.Document;
    const routes: Array<{ method: string; path: string; query: string[]; body: string[] }> = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of ['get', 'post', 'put', 'delete', 'patch'] as const) {
        const op = item?.[method];
        if (!op) continue;
        const params = (op.parameters ?? []) as OpenAPIV3.ParameterObject[];
        const schema = ((op.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content?.['application/json']?.schema ?? {}) as OpenAPIV3.SchemaObject;
        routes.push({ method: method.toUpperCase(), path: path.replace(/\{(\w+)\}/g, ':$1'), query: params.filter((p) => p.in === 'query').map((p) => p.name), body: Object.keys(schema.properties ?? {}) });
      }
    }
    expect(routes.length).toBeGreaterThan(20);
    for (const [method, path] of PAGES) routes.push({ method, path, query: ['lang', 'done', 't'], body: ['email', 'password', 'title', 'deadline', 'unitId', 'reason', 'note', '_csrf'] });

    const unitIds = world.program.units.map((u) => u.id);
    const paramValue = fc.oneof(
      fc.constantFrom(...unitIds).chain((id) => nearMiss(id)),
      anyText(40),
      fc.constantFrom('..', '../..', '%2e%2e%2f', `${P}:2026-Q4`, '2026', '-1', '99999999999999999999', '1e3', 'NaN', 'null', '[]', '{}', '\u0000'),
      fc.constantFrom('x'.repeat(4_000), 'ệ'.repeat(1_000)),
    );
    const value = fc.oneof(wrongType(), anyText(60), oversized().map((s) => s.slice(0, 20_000)));
    const auth = fc.constantFrom<'coordinator' | 'forged' | 'none'>('coordinator', 'coordinator', 'forged', 'none');

    const before = await snapshot();
    const tally = { requests: 0, refused: 0, answered: 0 };
    const writesAccepted: string[] = [];
    for (const route of routes) {
      const request = fc.record({
        params: fc.array(paramValue, { minLength: 4, maxLength: 4 }),
        query: fc.dictionary(fc.constantFrom(...(route.query.length ? route.query : ['q'])), value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'null')), { maxKeys: 3 }),
        body: fc.oneof(
          notAnObject(),
          fc.dictionary(fc.constantFrom(...(route.body.length ? route.body : ['x'])), value, { maxKeys: 5 }),
          fc.constantFrom('{"unterminated": ', '{"a":1}{"b":2}', '\u0000', '[', 'a'.repeat(100_000)),
        ),
        raw: fc.boolean(),
        auth,
      });
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          let i = 0;
          const url = route.path.replace(/:(\w+)/g, () => encodePart(r.params[i++ % r.params.length]!));
          const query = new URLSearchParams(r.query).toString();
          const hasBody = route.method !== 'GET';
          // The one route that would end the coordinator's own session is called with forged tokens only.
          const who = route.method === 'DELETE' && route.path === '/api/session' && r.auth === 'coordinator' ? 'forged' : r.auth;
          const res = await app.inject({
            method: route.method as 'GET',
            url: `${url}${query ? `?${query}` : ''}`,
            headers: {
              ...(who === 'coordinator' ? { authorization: `Bearer ${token}` } : who === 'forged' ? { authorization: `Bearer ${'A'.repeat(43)}` } : {}),
              ...(hasBody ? { 'content-type': 'application/json' } : {}),
            },
            ...(hasBody ? { payload: r.raw && typeof r.body === 'string' ? r.body : JSON.stringify(r.body) ?? 'null' } : {}),
          });
          tally.requests += 1;
          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode >= 400) {
            tally.refused += 1;
            if (String(res.headers['content-type']).startsWith('application/json')) {
              const message = (res.json() as { error?: { message?: unknown } }).error?.message;
              if (typeof message !== 'string') throw new Error(`${route.method} ${url.slice(0, 120)} → ${res.statusCode} without an error message: ${res.body.slice(0, 300)}`);
              expect((message as string).length).toBeGreaterThan(3);
              expect((message as string).length).toBeLessThan(1_000);
            }
          } else {
            tally.answered += 1;
            if (route.method !== 'GET') writesAccepted.push(`${route.method} ${url} → ${res.statusCode}`);
          }
        }),
        { numRuns: runs(25), seed: Number(process.env.KYBAO_PROPERTY_SEED ?? Date.now() % 2 ** 31) },
      );
    }
    console.log(`hostile HTTP requests: ${tally.requests} to ${routes.length} routes (${tally.refused} refused, ${tally.answered} answered reads), none 5xx`);
    expect(writesAccepted).toEqual([]);
    expect(await snapshot()).toEqual(before);

    async function snapshot() {
      const db = world.db;
      return {
        submission: await db.submission.count(),
        uploadedFile: await db.uploadedFile.count(),
        extensionRequest: await db.extensionRequest.count(),
        round: await db.round.count(),
        notification: await db.notification.count(),
        appraisalDecision: await db.appraisalDecision.count(),
        staffSession: await db.staffSession.count(),
        auditLog: await db.auditLog.count(),
      };
    }
  });
});
