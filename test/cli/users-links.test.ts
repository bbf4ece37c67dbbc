import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createPrismaClient, type Db } from '../../infra/db/client';
import { loadProgram } from '../../infra/db/program-repository';
import { ensureClientsGenerated } from '../../infra/db/migrate';
import { loadProgramFile } from '../../domain/program/load-file';
import { checkLinkToken, verifyLink } from '../../infra/links';
import { createEmptyDatabase, migrate, type TestDatabase } from '../db/harness';
import { KYBAO, expectFailure, expectSuccess, kybao, repoRoot, type CliResult } from './run';

/**
 * The operator's commands for the web app, on a migrated SQLite database (no Temporal needed):
 * `kybao user add/list/disable` (password from stdin, stored as argon2id only) and `kybao link
 * issue/revoke` (a revoked unit's older links stop verifying), with --help on each.
 */
function withStdin(args: string[], input: string, env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(KYBAO, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('kybao user and kybao link', () => {
  let database: TestDatabase;
  let db: Db;
  let env: Record<string, string>;
  const program = loadProgramFile();

  beforeAll(async () => {
    await ensureClientsGenerated({ log: () => undefined });
    database = await createEmptyDatabase('sqlite');
    await migrate(database.url);
    db = createPrismaClient(database.url);
    await loadProgram(db, program);
    env = { DATABASE_URL: database.url, KYBAO_LINK_SECRET: randomBytes(32).toString('hex'), KYBAO_BASE_URL: 'https://kybao.test', KYBAO_ACTOR: 'operator@test' };
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  it('has --help on every new command', async () => {
    for (const cmd of [['user', 'add'], ['user', 'list'], ['user', 'disable'], ['link', 'issue'], ['link', 'revoke'], ['web']]) {
      const help = await kybao([...cmd, '--help'], env);
      expectSuccess(help);
      expect(help.stdout).toContain(`Usage: kybao ${cmd.join(' ')}`);
    }
  }, 120_000);

  it('adds, lists and disables staff accounts, never showing or storing the password', async () => {
    const password = 'Mật khẩu đủ dài 2026';
    const added = await withStdin(['user', 'add', 'Dieu.Phoi@So-TTTT.test', '--role', 'coordinator', '--name', 'Điều phối'.normalize('NFD'), '--password-stdin'], `${password}\n`, env);
    expectSuccess(added);
    expect(added.stdout).toBe('user dieu.phoi@so-tttt.test added as coordinator\n');
    expect(added.stdout + added.stderr).not.toContain(password);
    const row = await db.staffUser.findUnique({ where: { email: 'dieu.phoi@so-tttt.test' } });
    expect(row!.name).toBe('Điều phối'.normalize('NFC'));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expectFailure(await withStdin(['user', 'add', 'dieu.phoi@so-tttt.test', '--role', 'coordinator', '--password-stdin'], `${password}\n`, env), /^kybao: a user dieu\.phoi@so-tttt\.test exists already/);
    expectFailure(await withStdin(['user', 'add', 'x@so-tttt.test', '--role', 'auditor', '--password-stdin'], 'ngan\n', env), /^kybao: the password is too short: use at least 10 characters$/);
    expectFailure(await withStdin(['user', 'add', 'x@so-tttt.test', '--role', 'admin', '--password-stdin'], `${password}\n`, env), /^kybao: "admin" is not a role; use one of coordinator, appraiser, approver, auditor$/);
    expectFailure(await kybao(['user', 'add', 'y@so-tttt.test', '--role', 'auditor'], env), /^kybao: no terminal to ask the password on: pipe it in with --password-stdin$/);

    const listed = await kybao(['user', 'list', '--json'], env);
    expectSuccess(listed);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ email: 'dieu.phoi@so-tttt.test', role: 'coordinator', disabled: false })]);
    expect(listed.stdout).not.toContain('argon2');
    const disabled = await kybao(['user', 'disable', 'dieu.phoi@so-tttt.test'], env);
    expectSuccess(disabled);
    expect((await db.staffUser.findUnique({ where: { email: 'dieu.phoi@so-tttt.test' } }))!.disabled).toBe(true);
    expect(await db.auditLog.count({ where: { action: { in: ['user.added', 'user.disabled'] }, actor: 'operator@test' } })).toBe(2);
    expectFailure(await kybao(['user', 'disable', 'nobody@so-tttt.test'], env), /^kybao: no user nobody@so-tttt\.test/);
  }, 120_000);

  it('issues a unit’s link and revokes every link of a unit', async () => {
    const roundId = `${program.id}:2026-adhoc-s1`;
    const now = new Date();
    await db.round.create({ data: { id: roundId, programId: program.id, year: 2026, kind: 'adhoc', titleVi: 'Đột xuất', titleEn: 'Ad hoc', deadline: new Date(now.getTime() + 10 * 86_400_000), status: 'open', openedAt: now, updatedAt: now } });
    await db.obligation.create({ data: { roundId, programId: program.id, unitId: 'so-khdt', dueAt: new Date(now.getTime() + 10 * 86_400_000), originalDueAt: new Date(now.getTime() + 10 * 86_400_000), status: 'pending', createdAt: now, updatedAt: now } });
    const issued = await kybao(['link', 'issue', '--round', '2026-adhoc-s1', '--unit', 'so-khdt', '--json'], env);
    expectSuccess(issued);
    const { url } = JSON.parse(issued.stdout) as { url: string };
    expect(url.startsWith('https://kybao.test/rounds/qd-925-thai-binh%3A2026-adhoc-s1/units/so-khdt?t=')).toBe(true);
    const token = new URL(url).searchParams.get('t')!;
    const scope = { roundId, unitId: 'so-khdt' };
    expect((await verifyLink(db, env.KYBAO_LINK_SECRET!, token, scope, Date.now())).ok).toBe(true);
    expect(checkLinkToken(env.KYBAO_LINK_SECRET!, token, { roundId, unitId: 'so-tttt' }, Date.now())).toEqual({ ok: false, problem: 'other-obligation' });

    const revoked = await kybao(['link', 'revoke', '--unit', 'so-khdt'], env);
    expectSuccess(revoked);
    expect(revoked.stdout).toBe('links of so-khdt revoked (epoch 1): links signed before no longer open anything\n');
    expect(await verifyLink(db, env.KYBAO_LINK_SECRET!, token, scope, Date.now())).toEqual({ ok: false, problem: 'revoked' });
    const fresh = JSON.parse((await kybao(['link', 'issue', '--round', '2026-adhoc-s1', '--unit', 'so-khdt', '--json'], env)).stdout) as { url: string };
    expect((await verifyLink(db, env.KYBAO_LINK_SECRET!, new URL(fresh.url).searchParams.get('t')!, scope, Date.now())).ok).toBe(true);
    expectFailure(await kybao(['link', 'revoke', '--unit', 'so-xyz'], env), /^kybao: unknown unit "so-xyz"/);
  }, 120_000);
});
