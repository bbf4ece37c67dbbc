import http from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { DateTime } from 'luxon';
import { signLink } from '../../infra/links';
import { issueLink, revokeLinks } from '../../app/links';
import { cycleStatusQuery, yearlyCycleWorkflow } from '../../workflows/cycle';
import { cycleWorkflowId, roundWorkflowId } from '../../workflows/ids';
import { useWebBed } from '../helpers/web-bed';
import { buildWebApp } from '../../client/web/server';

/**
 * The API, every role against every action, on a real Temporal (time-skipping, cycle 2015 from
 * 8 December 2014), a real database and the web app on loopback: allowed callers succeed; every other
 * caller gets 401 or 403 and leaves the database (row counts, the audit log) and the workflows
 * (history lengths) as they were. Tokens: tampered, expired, another unit's, another round's, revoked.
 * Uploads: empty, over the limit (streamed, refused early), "../" in the name, NFD name, a type not
 * allowed — nothing left behind. Then the OpenAPI document validates and every route in it was called.
 */
const ZONE = 'Asia/Ho_Chi_Minh';
const at = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toMillis();
const P = 'qd-925-thai-binh';
const PLAN = `${P}:2015-plan`;
const MAX = 256 * 1024;

describe('kybao web API: roles, tokens, uploads, OpenAPI', () => {
  const bed = useWebBed({ startAt: '2014-12-08T09:00:00+07:00', env: { KYBAO_UPLOAD_MAX_BYTES: String(MAX), KYBAO_SESSION_HOURS: '720' } });
  const tokens: Record<string, string> = {};
  const links: Record<string, string> = {};
  let adhocRoundId = '';

  const api = async (method: string, path: string, options: { auth?: string; json?: unknown; form?: FormData } = {}) => {
    const res = await fetch(`${bed().url}${path}`, {
      method,
      headers: { ...(options.auth ? { authorization: `Bearer ${options.auth}` } : {}), ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : options.form ? { body: options.form } : {}),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: body as Record<string, unknown> & { error?: { message: string; field: string | null } }, headers: res.headers, raw: text };
  };
  const enc = encodeURIComponent;
  const linkToken = (url: string) => new URL(url).searchParams.get('t')!;
  const file = (name: string, content: string | Buffer, fields: Record<string, string> = {}) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([content]), name);
    return form;
  };

  /** What a forbidden request must not change: row counts, the audit log, workflow histories. */
  async function snapshot(): Promise<string> {
    const { world, env } = bed();
    const db = world.db;
    // The dispatcher's delivery records (notification.*) come on their own time; everything else counts.
    const counts = [await db.auditLog.count({ where: { NOT: { action: { startsWith: 'notification.' } } } }), await db.submission.count(), await db.uploadedFile.count(), await db.extensionRequest.count(),
      // Workflows queue their own notices meanwhile; what a web request could add is a resent reminder.
      await db.notification.count({ where: { idempotencyKey: { contains: '|resend|' } } }), await db.round.count(), await db.staffSession.count(), await db.formDraft.count()];
    const ids = [cycleWorkflowId(P, 2015), roundWorkflowId(PLAN), ...(adhocRoundId ? [roundWorkflowId(adhocRoundId)] : [])];
    const histories = [];
    for (const id of ids) histories.push((await env.client.workflow.getHandle(id).describe()).historyLength);
    const files = existsSync(bed().submissionsDir) ? readdirSync(bed().submissionsDir).sort().join(',') : '';
    return JSON.stringify({ counts, histories, files });
  }
  type Caller = { name: string; auth?: string };
  const staffCallers = (): Caller[] => [
    { name: 'anonymous' },
    { name: 'coordinator', auth: tokens.coordinator },
    { name: 'appraiser', auth: tokens.appraiser },
    { name: 'approver', auth: tokens.approver },
    { name: 'auditor', auth: tokens.auditor },
    { name: 'agency link', auth: linkToken(links.khdt!) },
  ];
  /** Every caller but `allowed` is refused with 401/403, and nothing changes. */
  async function onlyFor(allowed: string[], method: string, path: string, options: { json?: unknown; form?: () => FormData } = {}, callers = staffCallers()) {
    // Workflows move on by themselves (a round just started sends its notices): wait until they rest.
    let before = await snapshot();
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const again = await snapshot();
      if (again === before) break;
      before = again;
    }
    for (const caller of callers.filter((x) => !allowed.includes(x.name))) {
      const r = await api(method, path, { ...(caller.auth ? { auth: caller.auth } : {}), ...(options.json !== undefined ? { json: options.json } : {}), ...(options.form ? { form: options.form() } : {}) });
      // Nobody signed in: 401. Signed in (or holding a link) but not allowed: 403 (a link also 401 off its page).
      expect({ caller: caller.name, refused: caller.auth ? [401, 403].includes(r.status) : r.status === 401 }).toEqual({ caller: caller.name, refused: true });
      expect(r.body.error?.message).toEqual(expect.any(String));
    }
    expect(await snapshot()).toBe(before);
  }

  it('signs staff in, and refuses a wrong password', async () => {
    const { env, world, taskQueue, users } = bed();
    await env.client.workflow.start(yearlyCycleWorkflow, { taskQueue, workflowId: cycleWorkflowId(P, 2015), args: [{ programRef: world.programRef, year: 2015 }] });
    for (let i = 0; i < 100 && !(await world.db.obligation.count({ where: { roundId: PLAN } })); i++) await new Promise((r) => setTimeout(r, 100));
    for (const [role, u] of Object.entries(users)) {
      const r = await api('POST', '/api/session', { json: { email: u.email.toUpperCase(), password: u.password } });
      expect(r.status).toBe(200);
      expect(r.body.user).toMatchObject({ email: u.email, role });
      tokens[role] = r.body.token as string;
    }
    const wrong = await api('POST', '/api/session', { json: { email: users.coordinator.email, password: 'wrong-password' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toEqual({ message: 'wrong e-mail or password (or the account is disabled)', field: 'password' });
    const bad = await api('POST', '/api/session', { json: { email: '' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.field).toBe('email');
    expect((await api('GET', '/api/session', { auth: tokens.auditor })).body.user).toMatchObject({ role: 'auditor' });
    expect((await api('GET', '/api/session')).status).toBe(401);
    // The password is stored only as an argon2id hash.
    const row = await world.db.staffUser.findUnique({ where: { email: users.coordinator.email } });
    expect(row!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row!.passwordHash).not.toContain(users.coordinator.password);

    for (const [name, unit] of [['khdt', 'so-khdt'], ['tttt', 'so-tttt'], ['noivu', 'so-noi-vu']] as const) links[name] = (await issueLink(world.db, bed().c.env, world.program, PLAN, unit)).url;
  });

  it('lets an agency read and submit only through its own valid link', async () => {
    const { world, c } = bed();
    const khdt = `/api/rounds/${enc(PLAN)}/units/so-khdt`;
    const ok = await api('GET', `${khdt}?t=${linkToken(links.khdt!)}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ roundId: PLAN, unitId: 'so-khdt', status: 'pending', asksAmount: true, dueAt: '2014-12-15T17:00:00.000Z', lastDay: '2014-12-15' });

    const secret = c.env.KYBAO_LINK_SECRET!;
    const good = linkToken(links.khdt!);
    const [payload, sig] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { p: string; r: string; u: string; e: number; n: number };
    const forged = `${Buffer.from(JSON.stringify({ ...claims, u: 'so-tttt' })).toString('base64url')}.${sig}`;
    const expired = signLink(secret, { ...claims, e: c.clock.now() - 1000 });
    const otherRound = signLink(secret, { ...claims, r: `${P}:2015-Q1` });
    const otherSecret = signLink('x'.repeat(64), claims);
    await revokeLinks(world.db, { program: world.program, unitId: 'so-noi-vu', by: 'test' }, c.clock);
    const cases: Array<[string, string, string, number]> = [
      ['tampered', khdt, `${payload}.${sig!.slice(0, -2)}AA`, 401],
      ['forged claims', `/api/rounds/${enc(PLAN)}/units/so-tttt`, forged, 401],
      ['signed with another secret', khdt, otherSecret, 401],
      ['expired', khdt, expired, 401],
      ['another unit', `/api/rounds/${enc(PLAN)}/units/so-tttt`, good, 403],
      ['another round', khdt, otherRound, 403],
      ['revoked', `/api/rounds/${enc(PLAN)}/units/so-noi-vu`, linkToken(links.noivu!), 403],
      ['malformed', khdt, 'not-a-token.x.y', 401],
    ];
    const before = await snapshot();
    for (const [what, path, token, status] of cases) {
      expect({ what, status: (await api('GET', `${path}?t=${encodeURIComponent(token)}`)).status }).toEqual({ what, status });
      const post = await api('POST', `${path}/submissions?t=${encodeURIComponent(token)}`, { form: file('bao-cao.pdf', '%PDF-1.4 x') });
      expect({ what, status: post.status }).toEqual({ what, status });
      const ext = await api('POST', `${path}/extension-requests`, { auth: token, json: { until: '2014-12-20', reason: 'cần thêm thời gian' } });
      expect({ what, status: ext.status }).toEqual({ what, status });
    }
    expect(await snapshot()).toBe(before);
    await onlyFor(['agency link'], 'GET', khdt);
    await onlyFor(['agency link'], 'POST', `${khdt}/submissions`, { form: () => file('bao-cao.pdf', '%PDF-1.4 x', { amountVnd: '900000000' }) });
    // Drafts of the report form: the unit's own link only (test/web/agency-draft.test.ts has the rest); the
    // annual plan has no form in the default program, so there is nothing to draft.
    await onlyFor(['agency link'], 'GET', `${khdt}/draft`);
    await onlyFor(['agency link'], 'PUT', `${khdt}/draft`, { json: { indicators: { 'su-kien': 1 } } });
    for (const method of ['GET', 'PUT']) {
      const r = await api(method, `${khdt}/draft`, { auth: good, ...(method === 'PUT' ? { json: { indicators: {} } } : {}) });
      expect([method, r.status, r.body.error?.message]).toEqual([method, 400, expect.stringMatching(/is a annual-plan round, for which program qd-925-thai-binh declares no report form/)]);
    }

    const sent = await api('POST', `${khdt}/submissions`, { auth: good, form: file('Kế hoạch 2015.pdf', '%PDF-1.4 kế hoạch', { note: 'Kế hoạch năm', amountVnd: '950.000.000' }) });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ roundId: PLAN, unitId: 'so-khdt', version: 1, onTime: true, lateByMs: 0, fileName: 'Kế hoạch 2015.pdf' });
    const audit = await world.db.auditLog.findFirst({ where: { action: 'web.request', unitId: 'so-khdt' }, orderBy: { id: 'desc' } });
    expect(audit).toMatchObject({ actor: 'agency:so-khdt' });
    expect(JSON.parse(audit!.details)).toMatchObject({ method: 'POST', role: 'agency', route: '/api/rounds/:roundId/units/:unitId/submissions', status: 200 });
  });

  it('refuses bad uploads and leaves nothing behind', async () => {
    const { world } = bed();
    const tttt = `/api/rounds/${enc(PLAN)}/units/so-tttt/submissions`;
    const auth = linkToken(links.tttt!);
    const before = await snapshot();
    const empty = await api('POST', tttt, { auth, form: file('rong.pdf', '') });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toEqual({ message: '"rong.pdf" is empty (0 bytes); send the report itself', field: 'file' });
    const exe = await api('POST', tttt, { auth, form: file('virus.exe', 'MZ...') });
    expect(exe.status).toBe(415);
    const liar = await api('POST', tttt, { auth, form: file('bao-cao.pdf', 'MZ not a pdf') });
    expect(liar.status).toBe(415);
    const big = await api('POST', tttt, { auth, form: file('lon.pdf', Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(MAX)])) });
    expect(big.status).toBe(413);
    expect(await snapshot()).toBe(before);

    // Streamed, far larger than the limit and announced by no length: the server answers 413 early and
    // the process does not grow by the body's size.
    const total = 200 * 1024 * 1024;
    const rssBefore = process.memoryUsage().rss;
    const streamed = await new Promise<{ status: number; written: number }>((resolve, reject) => {
      const boundary = 'kybaoboundary';
      const req = http.request(`${bed().url}${tttt}`, { method: 'POST', headers: { authorization: `Bearer ${auth}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' } });
      let written = 0;
      let done = false;
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      req.on('response', (res) => {
        done = true;
        res.resume();
        resolve({ status: res.statusCode ?? 0, written });
        req.destroy();
      });
      req.on('error', (err) => (done ? undefined : reject(err)));
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-`);
      const pump = () => {
        while (!done && written < total) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!done) req.end(`\r\n--${boundary}--\r\n`);
      };
      pump();
    });
    expect(streamed.status).toBe(413);
    expect(streamed.written).toBeLessThan(total / 4);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(total / 2);
    expect(await snapshot()).toBe(before);

    // "../" in the name: only the last part is kept, for display; the file is stored by its hash.
    const traversal = await api('POST', tttt, { auth, form: file('../../etc/Báo cáo.pdf', '%PDF-1.4 a') });
    expect(traversal.status).toBe(200);
    expect(traversal.body.fileName).toBe('Báo cáo.pdf');
    // NFD (as macOS writes it) comes out NFC, letters kept.
    const nfd = await api('POST', tttt, { auth, form: file('Báo cáo quý IV.pdf'.normalize('NFD'), '%PDF-1.4 b', { note: 'Ghi chú'.normalize('NFD') }) });
    expect(nfd.status).toBe(200);
    expect(nfd.body).toMatchObject({ fileName: 'Báo cáo quý IV.pdf'.normalize('NFC'), version: 2 });
    const rows = await world.db.uploadedFile.findMany({ where: { unitId: 'so-tttt' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.originalName)).toEqual(['Báo cáo.pdf', 'Báo cáo quý IV.pdf'.normalize('NFC')]);
    expect(readdirSync(bed().submissionsDir).sort()).toEqual([...new Set((await world.db.uploadedFile.findMany()).map((r) => r.sha256))].sort());
  });

  it('gives the coordinator its actions and nobody else', async () => {
    const { world } = bed();
    const coordinator = tokens.coordinator;
    await onlyFor(['coordinator', 'auditor'], 'GET', '/api/years/2015/status');
    const status = await api('GET', '/api/years/2015/status', { auth: coordinator });
    expect(status.status).toBe(200);
    const plan = (status.body.rounds as Array<{ key: string; units: Array<{ unitId: string; status: string }> }>).find((r) => r.key === 'plan')!;
    expect(plan.units.find((u) => u.unitId === 'so-khdt')!.status).toBe('submitted');
    // A page of each round's units (unit-id order): the same cells as the whole answer's, sliced.
    const paged = await api('GET', '/api/years/2015/status?offset=2&limit=3', { auth: coordinator });
    expect(paged.status).toBe(200);
    const pagedPlan = (paged.body.rounds as Array<{ key: string; counts: unknown; units: unknown[] }>).find((r) => r.key === 'plan')!;
    expect(pagedPlan.units).toEqual(plan.units.slice(2, 5));
    expect(pagedPlan.counts).toEqual((plan as unknown as { counts: unknown }).counts);
    expect((await api('GET', '/api/years/2015/status?limit=0', { auth: coordinator })).status).toBe(400);
    await onlyFor(['coordinator', 'auditor'], 'GET', `/api/rounds/${enc(PLAN)}/status?limit=5`);
    const page = await api('GET', `/api/rounds/${enc(PLAN)}/status?offset=0&limit=5`, { auth: tokens.auditor });
    expect((page.body.units as unknown[]).length).toBe(5);
    await onlyFor(['coordinator', 'auditor'], 'GET', '/api/timeliness');
    expect((await api('GET', '/api/timeliness', { auth: coordinator })).status).toBe(200);
    await onlyFor(['coordinator', 'auditor'], 'GET', '/api/mail/undelivered');
    expect((await api('GET', '/api/mail/undelivered', { auth: coordinator })).body).toEqual([]);

    const adhoc = { title: 'Báo cáo đột xuất về hội nghị', deadline: '2015-01-10', unitIds: ['so-khdt', 'so-vhttdl', 'so-noi-vu'] };
    await onlyFor(['coordinator'], 'POST', '/api/adhoc-rounds', { json: adhoc });
    const started = await api('POST', '/api/adhoc-rounds', { auth: coordinator, json: adhoc });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ roundId: `${P}:2015-adhoc-1`, via: cycleWorkflowId(P, 2015) });
    adhocRoundId = started.body.roundId as string;
    for (let i = 0; i < 100 && !(await world.db.obligation.count({ where: { roundId: adhocRoundId } })); i++) await new Promise((r) => setTimeout(r, 100));
    const past = await api('POST', '/api/adhoc-rounds', { auth: coordinator, json: { ...adhoc, deadline: '2014-01-01' } });
    expect(past.status).toBe(400);
    expect(past.body.error!.field).toBe('deadline');

    // Agencies ask for extensions; the coordinator grants one and refuses the other.
    const vh = (await issueLink(world.db, bed().c.env, world.program, adhocRoundId, 'so-vhttdl')).url;
    const nv = (await issueLink(world.db, bed().c.env, world.program, adhocRoundId, 'so-noi-vu')).url;
    const askPath = (unit: string) => `/api/rounds/${enc(adhocRoundId)}/units/${unit}/extension-requests`;
    await onlyFor(['agency link'], 'POST', askPath('so-khdt'), { json: { until: '2015-01-20', reason: 'chờ số liệu' } });
    const asked = await api('POST', askPath('so-vhttdl'), { auth: linkToken(vh), json: { until: '2015-01-20', reason: 'Chờ số liệu'.normalize('NFD') } });
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({ status: 'pending', reason: 'Chờ số liệu'.normalize('NFC') });
    const asked2 = await api('POST', askPath('so-noi-vu'), { auth: linkToken(nv), json: { until: '2015-01-25', reason: 'bận việc khác' } });
    expect(asked2.status).toBe(200);
    await onlyFor(['coordinator'], 'GET', '/api/extension-requests?status=pending');
    expect(((await api('GET', '/api/extension-requests?status=pending', { auth: coordinator })).body as unknown as unknown[]).length).toBe(2);
    // The dashboard lists them by the unit's name (with its code) and the round's title.
    const dashboard = (await api('GET', '/coordinator?year=2015', { auth: coordinator })).raw;
    const requestRow = new RegExp(`<tr data-request="${String(asked.body.id)}"><td>([^<]*) <small>so-vhttdl</small></td><td>([^<]*)</td>`).exec(dashboard);
    expect(requestRow?.slice(1)).toEqual([world.program.units.find((u) => u.id === 'so-vhttdl')!.name.vi, adhoc.title]);
    await onlyFor(['coordinator'], 'POST', `/api/extension-requests/${asked.body.id}/grant`, { json: {} });
    const granted = await api('POST', `/api/extension-requests/${asked.body.id}/grant`, { auth: coordinator, json: { note: 'đồng ý' } });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ status: 'granted', decidedBy: bed().users.coordinator.email });
    expect(await world.db.obligation.findFirst({ where: { roundId: adhocRoundId, unitId: 'so-vhttdl' } })).toMatchObject({ status: 'extended', dueAt: new Date('2015-01-19T17:00:00.000Z') });
    expect((await api('POST', `/api/extension-requests/${asked.body.id}/grant`, { auth: coordinator, json: {} })).status).toBe(409);
    await onlyFor(['coordinator'], 'POST', `/api/extension-requests/${asked2.body.id}/refuse`, { json: { reason: 'không đủ lý do' } });
    const refused = await api('POST', `/api/extension-requests/${asked2.body.id}/refuse`, { auth: coordinator, json: { reason: 'Không đủ lý do' } });
    expect(refused.body).toMatchObject({ status: 'refused', decisionReason: 'Không đủ lý do' });
    const seen = await api('GET', `/api/rounds/${enc(adhocRoundId)}/units/so-noi-vu?t=${linkToken(nv)}`);
    expect((seen.body.extensionRequests as Array<{ status: string }>)[0]).toMatchObject({ status: 'refused', decisionReason: 'Không đủ lý do' });

    const resendPath = `/api/rounds/${enc(PLAN)}/units/so-tttt/reminders`;
    await onlyFor(['coordinator'], 'POST', resendPath);
    const resent = await api('POST', resendPath, { auth: coordinator });
    expect(resent.status).toBe(200);
    const row = await world.db.notification.findUnique({ where: { id: resent.body.notificationId as number } });
    expect(row!.idempotencyKey).toMatch(/\|so-tttt\|opened\|0\|resend\|1$/);
    expect(await world.db.auditLog.count({ where: { action: 'reminder.resent', actor: bed().users.coordinator.email } })).toBe(1);

    await onlyFor(['coordinator'], 'GET', `/api/rounds/${enc(PLAN)}/units/so-tttt/link`);
    const issued = await api('GET', `/api/rounds/${enc(PLAN)}/units/so-tttt/link`, { auth: coordinator });
    expect(issued.body.url).toMatch(/\/rounds\/qd-925-thai-binh%3A2015-plan\/units\/so-tttt\?t=/);

    await onlyFor(['coordinator', 'auditor'], 'GET', `/api/rounds/${enc(PLAN)}/archive`);
    const zip = await fetch(`${bed().url}/api/rounds/${enc(PLAN)}/archive`, { headers: { authorization: `Bearer ${coordinator}` } });
    expect(zip.status).toBe(200);
    const bytes = Buffer.from(await zip.arrayBuffer());
    expect(bytes.subarray(0, 4)).toEqual(Buffer.from('PK\x03\x04'));
    expect(bytes.includes(Buffer.from('so-khdt/v1-Kế hoạch 2015.pdf'))).toBe(true);
    expect(bytes.includes(Buffer.from('so-tttt/v2-Báo cáo quý IV.pdf'))).toBe(true);
  });

  it('gives the appraiser and the approver their decisions, in their phases', async () => {
    const { env, world } = bed();
    // Planning closes at the plan round's cut-off; appraisal follows.
    await bed().skipTo(at('2014-12-22T10:00'));
    const cycle = env.client.workflow.getHandle(cycleWorkflowId(P, 2015));
    for (let i = 0; i < 100 && (await cycle.query(cycleStatusQuery)).phase !== 'appraisal'; i++) await new Promise((r) => setTimeout(r, 100));
    await onlyFor(['appraiser', 'approver', 'auditor'], 'GET', '/api/years/2015/estimates');
    const listed = await api('GET', '/api/years/2015/estimates', { auth: tokens.appraiser });
    expect(listed.body.phase).toBe('appraisal');
    expect(listed.body.estimates).toEqual(expect.arrayContaining([expect.objectContaining({ unitId: 'so-khdt', status: 'submitted', amountVnd: '950000000' })]));
    const decide = '/api/years/2015/estimates/so-khdt/decision';
    await onlyFor(['appraiser'], 'POST', decide, { json: { decision: 'approve' } });
    const bad = await api('POST', decide, { auth: tokens.appraiser, json: { decision: 'adjust', amountVnd: '12,5 tỷ', reason: 'x' } });
    expect(bad.status).toBe(400);
    const ok = await api('POST', decide, { auth: tokens.appraiser, json: { decision: 'adjust', amountVnd: '900.000.000', reason: 'Theo định mức' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ unitId: 'so-khdt', status: 'adjusted', approvedAmountVnd: '900000000' });
    expect((await api('POST', decide, { auth: tokens.appraiser, json: { decision: 'approve' } })).status).toBe(409);

    for (let i = 0; i < 100 && (await cycle.query(cycleStatusQuery)).phase !== 'approval'; i++) await new Promise((r) => setTimeout(r, 100));
    await onlyFor(['approver', 'coordinator', 'auditor'], 'GET', '/api/years/2015/plan');
    expect((await api('GET', '/api/years/2015/plan', { auth: tokens.approver })).body).toMatchObject({ phase: 'approval', approval: null, estimates: { adjusted: 1 }, approvedTotalVnd: '900000000' });
    await onlyFor(['approver'], 'POST', '/api/years/2015/plan/approval', { json: {} });
    const approved = await api('POST', '/api/years/2015/plan/approval', { auth: tokens.approver, json: { note: 'Phê duyệt' } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ year: 2015, approvedBy: bed().users.approver.email });
    expect((await api('POST', '/api/years/2015/plan/approval', { auth: tokens.approver, json: {} })).status).toBe(409);
    expect(await world.db.auditLog.count({ where: { action: 'web.request', actor: bed().users.approver.email } })).toBe(1);
  });

  it('lets the auditor read everything and change nothing', async () => {
    const wf = enc(roundWorkflowId(PLAN));
    for (const path of [`/api/audit/workflows/${wf}/history`, `/api/audit/workflows/${wf}/timeline`, `/api/audit/log?limit=5`]) {
      await onlyFor(['auditor'], 'GET', path);
      expect((await api('GET', path, { auth: tokens.auditor })).status).toBe(200);
    }
    const timeline = await api('GET', `/api/audit/workflows/${wf}/timeline`, { auth: tokens.auditor });
    expect((timeline.body.entries as Array<{ text: string }>).some((e) => /submission v1 from so-khdt by agency:so-khdt/.test(e.text))).toBe(true);
    await onlyFor(['auditor'], 'GET', `/api/audit/workflows/${wf}/replay`);
    const replay = await api('GET', `/api/audit/workflows/${wf}/replay`, { auth: tokens.auditor });
    expect(replay.body).toMatchObject({ ok: true });
    expect((await api('GET', '/api/audit/workflows/nonsense/history', { auth: tokens.auditor })).status).toBe(400);
    // An auditor trying each change is refused (403) and changes nothing.
    const before = await snapshot();
    for (const [method, path, json] of [
      ['POST', '/api/adhoc-rounds', { title: 'Kiểm tra', deadline: '2015-02-10' }],
      ['POST', '/api/years/2015/plan/approval', {}],
      ['POST', '/api/years/2015/estimates/so-khdt/decision', { decision: 'approve' }],
      ['POST', '/api/extension-requests/1/refuse', { reason: 'không' }],
      ['POST', `/api/rounds/${enc(PLAN)}/units/so-tttt/reminders`, undefined],
    ] as const) {
      expect((await api(method, path, { auth: tokens.auditor, ...(json ? { json } : {}) })).status).toBe(403);
    }
    expect(await snapshot()).toBe(before);
  });

  it('says a refusal on a page as the reader needs it: staff get its kind, an agency only the sentence, nobody signed in goes to /login', async () => {
    const page = (path: string, auth?: string) => fetch(`${bed().url}${path}`, { redirect: 'manual', headers: auth ? { authorization: `Bearer ${auth}` } : {} });
    const anonymous = await page('/coordinator');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login');
    // An agency has no account: its link is its access, so "sign in first" would mislead it.
    const noLink = await page(`/rounds/${enc(PLAN)}/units/so-khdt`);
    expect(noLink.status).toBe(401);
    const agencyText = await noLink.text();
    expect(agencyText).toContain('open this page from the link in your e-mail');
    expect(agencyText).not.toContain('Cần đăng nhập');
    // A coordinator's bad input: the kind of refusal in the page's language, then the sentence.
    const badPage = await page('/coordinator?page=abc', tokens.coordinator);
    expect(badPage.status).toBe(400);
    expect(await badPage.text()).toContain('Dữ liệu không hợp lệ: page');
  });

  it('answers health and readiness, signs out, and limits sign-in attempts', async () => {
    expect((await api('GET', '/healthz')).body).toEqual({ ok: true });
    expect((await api('GET', '/readyz')).body).toEqual({ ok: true, problems: [] });
    const out = await api('DELETE', '/api/session', { auth: tokens.auditor });
    expect(out.status).toBe(204);
    expect((await api('GET', '/api/session', { auth: tokens.auditor })).status).toBe(401);
    expect((await api('DELETE', '/api/session')).status).toBe(401);
    // Security headers on every answer.
    const headers = (await api('GET', '/healthz')).headers;
    expect(headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
    // Sign-in attempts are limited per address (this bed allows many; a second app with the default-like limit of 3).
    const strict = await buildWebApp({ c: { ...bed().c, env: { ...bed().c.env, KYBAO_RATE_LIMIT_LOGIN: 3, KYBAO_RATE_LIMIT_LINK: 2 } }, program: bed().world.program });
    const tries = [];
    for (let i = 0; i < 4; i++) tries.push((await strict.inject({ method: 'POST', url: '/api/session', payload: { email: 'x@y.test', password: 'wrong-password' } })).statusCode);
    expect(tries).toEqual([401, 401, 401, 429]);
    const link = [];
    for (let i = 0; i < 3; i++) link.push((await strict.inject({ method: 'GET', url: `/api/rounds/${enc(PLAN)}/units/so-khdt?t=${linkToken(links.khdt!)}` })).statusCode);
    expect(link).toEqual([200, 200, 429]);
    await strict.close();
  });

  it('answers the compiled-report routes by role, and 404 for a report that does not exist (issue #15; test/web/reports.test.ts has the full story)', async () => {
    // December 2014: no round has closed, so nothing is compiled yet.
    expect((await api('GET', '/api/compiled-reports', { auth: tokens.coordinator })).body).toEqual({ total: 0, offset: 0, reports: [] });
    const none = `/api/compiled-reports/${enc('qd-925-thai-binh:2014-Q4')}`;
    for (const [method, path, json] of [
      ['GET', none, undefined],
      ['GET', `${none}/docx`, undefined],
      ['GET', `${none}/xlsx`, undefined],
      ['PATCH', none, { conclusions: 'Kết luận' }],
      ['POST', `${none}/issue`, { number: 1, signer: { title: ['GIÁM ĐỐC'], name: 'Nguyễn Văn A' } }],
      ['POST', `${none}/recompile`, {}],
    ] as const) {
      const res = await api(method, path, { auth: tokens.coordinator, ...(json !== undefined ? { json } : {}) });
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(res.body.error!.message).toContain('qd-925-thai-binh:2014-Q4');
      // The roles without reports are refused before the report is even looked up.
      expect((await api(method, path, { auth: tokens.appraiser, ...(json !== undefined ? { json } : {}) })).status).toBe(403);
    }
  });

  it('serves a valid OpenAPI document, every route of which was called', async () => {
    const doc = (await api('GET', '/api/openapi.json')).body as unknown as { paths: Record<string, Record<string, unknown>> };
    await SwaggerParser.validate(structuredClone(doc) as never);
    const documented = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(documented.length).toBeGreaterThan(20);
    const missing = documented.filter((r) => !bed().routes.has(r));
    expect(missing).toEqual([]);
    const docs = await fetch(`${bed().url}/api/docs/`);
    expect(docs.status).toBe(200);
  });
});
