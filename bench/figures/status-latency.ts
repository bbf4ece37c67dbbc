import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { systemClock } from '../../app/context';
import { resolveProgram } from '../../app/programs';
import { collectYear, roundCounts, roundUnitsPage } from '../../app/status';
import { addUser, signIn } from '../../app/users';
import { createPrismaClient, type Db } from '../../infra/db/client';
import { REPO_ROOT } from '../../infra/db/database-url';
import { loadProgram } from '../../infra/db/program-repository';
import { createMigratedSqlite } from '../../infra/db/sqlite-template';
import { buildTargets } from '../../scripts/build';
import type { BenchContext } from '../context';
import { expectExit0, timeCommand } from '../context';
import { programWithUnits } from '../programs';
import { makeRow, type FigureDraft } from '../results';
import { percentile, round3 } from '../stats';

/**
 * Issue #14, figure 5: latency of the status of a year (units × rounds) with N units × 28 rounds in the
 * database, under C concurrent clients on loopback; p50 and p99. Status is read from the database
 * (issue #11: app/status.ts), the cycle's phase from its workflow when one runs (none here).
 *
 * - CLI: `kybao status --year 2015 --json` (compiled) against a bare node script printing the same
 *   matrix from one SQL query (better-sqlite3).
 * - HTTP: GET /api/years/2015/status of the web app (`kybao web`, its own process, a coordinator's
 *   bearer session) against a bare node:http server (its own process) answering that query.
 * - In process, the application layer the two use: collectYear (the matrix), roundCounts (one round's
 *   counts) and roundUnitsPage (100 units of a round) against the same or an equivalent bare query.
 */
const YEAR = 2015;
const ROUNDS = 28;

export interface Seeded {
  file: string;
  programId: string;
  /** A round of YEAR, for the per-round reads. */
  roundId: string;
}

/**
 * A database with the default program plus N synthetic units and 28 quarterly rounds (2014–2020) in
 * which every unit has an obligation: rows written in bulk (bench-only; the repositories write one
 * unit at a time), statuses spread over on time, late, missing and extended.
 */
export async function seed(ctx: Pick<BenchContext, 'tmp' | 'log'>, n: number): Promise<Seeded> {
  const { program, unitIds } = programWithUnits(`bench-status-${n}`, n);
  const file = path.join(ctx.tmp, `status-${n}.db`);
  await createMigratedSqlite(file);
  const db: Db = createPrismaClient(`file:${file}`);
  try {
    await db.$executeRawUnsafe('PRAGMA synchronous = OFF');
    await loadProgram(db, program, { actor: 'bench' });
    const now = new Date();
    const statuses = ['submitted', 'submitted', 'submitted', 'late', 'missing', 'extended'] as const;
    for (let r = 0; r < ROUNDS; r++) {
      const year = 2014 + Math.floor(r / 4);
      const q = (r % 4) + 1;
      const roundId = `${program.id}:${year}-Q${q}`;
      const deadline = new Date(Date.UTC(year, q * 3 - 1, 24, 17));
      await db.round.create({
        data: { id: roundId, programId: program.id, year, kind: 'quarterly-report', titleVi: `Báo cáo quý ${q}/${year}`, titleEn: `Q${q} ${year} report`, deadline, status: 'open', openedAt: new Date(deadline.getTime() - 30 * 86_400_000), updatedAt: now },
      });
      for (let i = 0; i < unitIds.length; i += 5000) {
        await db.obligation.createMany({
          data: unitIds.slice(i, i + 5000).map((unitId, k) => {
            const status = statuses[(i + k + r) % statuses.length]!;
            const late = status === 'late';
            return {
              roundId,
              programId: program.id,
              unitId,
              dueAt: deadline,
              originalDueAt: deadline,
              status,
              submittedAt: status === 'submitted' ? new Date(deadline.getTime() - 86_400_000) : late ? new Date(deadline.getTime() + 86_400_000) : null,
              lateByMs: late ? 86_400_000n : null,
              createdAt: now,
              updatedAt: now,
            };
          }),
        });
      }
    }
  } finally {
    await db.$disconnect();
  }
  ctx.log(`status: seeded ${n.toLocaleString('en-US')} units × ${ROUNDS} rounds`);
  return { file, programId: program.id, roundId: `${program.id}:${YEAR}-Q2` };
}

/** The baseline's whole job: one query, the matrix as JSON (bench/bare-status.cjs). */
const BARE_STATUS = path.join(REPO_ROOT, 'bench/bare-status.cjs');

/** C clients, each running `once` in a loop until `total` calls are done; every call's latency (ms). */
async function load(concurrency: number, total: number, once: () => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  let started = 0;
  const client = async () => {
    while (started < total) {
      started++;
      const t = performance.now();
      await once();
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return latencies;
}

/** A free loopback port (for a server in another process). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

interface ServerProcess {
  port: number;
  stop(): Promise<void>;
}

/** Starts a server process and waits until it says `ready` on stdout or stderr. */
async function serverProcess(what: string, command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, port: number): Promise<ServerProcess> {
  const child: ChildProcess = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 120 s:\n${output.slice(-2000)}`)), 120_000);
    const look = (d: Buffer) => {
      // Keep only the tail: the web app logs every request.
      output = (output + d.toString()).slice(-8000);
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready:\n${output.slice(-2000)}`));
    });
  });
  return {
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function get(port: number, urlPath: string, token?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath, agent: keepAlive, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`GET ${urlPath}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}
const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

/** A coordinator's session token on the seeded database, as `POST /api/session` would give one. */
async function coordinatorToken(file: string): Promise<string> {
  const db = createPrismaClient(`file:${file}`);
  try {
    const password = 'bench-password-not-secret-0123456789';
    await addUser(db, { email: 'dieu-phoi@bench.example', role: 'coordinator', password, by: 'bench' }, systemClock);
    return (await signIn(db, { email: 'dieu-phoi@bench.example', password, hours: 2 }, systemClock)).token;
  } finally {
    await db.$disconnect();
  }
}

export async function statusLatency(ctx: BenchContext): Promise<FigureDraft> {
  const n = ctx.quick ? 100 : 10_000;
  const concurrency = ctx.quick ? 2 : 4;
  // The matrix of 10,000 units × 4 rounds takes seconds per call: fewer calls there than for one round.
  const cliCalls = ctx.quick ? 4 : 12;
  const httpCalls = ctx.quick ? 20 : 24;
  const appCalls = ctx.quick ? 20 : 200;
  await buildTargets({ ifStale: true, only: ['programs'], log: ctx.log });
  const server = await ctx.devServer();
  const seeded = await seed(ctx, n);
  const address = server.connection.options.address;
  const env = { ...process.env, DATABASE_URL: `file:${seeded.file}`, TEMPORAL_ADDRESS: address, KYBAO_PROGRAM_ID: seeded.programId };

  // CLI: kybao status, and the bare script, each under the same concurrency.
  const kybaoCli = await load(concurrency, cliCalls, async () => {
    expectExit0(await timeCommand(path.join(REPO_ROOT, 'bin/kybao'), ['status', '--year', String(YEAR), '--program-id', seeded.programId, '--json'], { cwd: REPO_ROOT, env }), 'kybao status');
  });
  const bareCli = await load(concurrency, cliCalls, async () => {
    expectExit0(await timeCommand(process.execPath, [BARE_STATUS, seeded.file, seeded.programId, String(YEAR)], { cwd: REPO_ROOT }), 'bare status script');
  });

  // HTTP: the web app and the bare server, each in a process of its own.
  const token = await coordinatorToken(seeded.file);
  const secret = (c: string) => c.repeat(40);
  const webPort = await freePort();
  const web = await serverProcess(
    'kybao web',
    path.join(REPO_ROOT, 'bin/kybao'),
    ['web', '--host', '127.0.0.1', '--port', String(webPort)],
    { ...env, KYBAO_LINK_SECRET: secret('l'), KYBAO_SESSION_SECRET: secret('s'), KYBAO_BASE_URL: `http://127.0.0.1:${webPort}` },
    /kybao web listening on/,
    webPort,
  );
  let kybaoHttp: number[];
  try {
    await get(web.port, `/api/years/${YEAR}/status`, token); // warm
    kybaoHttp = await load(concurrency, httpCalls, () => get(web.port, `/api/years/${YEAR}/status`, token));
  } finally {
    await web.stop();
  }
  const barePort = await freePort();
  const bare = await serverProcess('bare status server', process.execPath, [BARE_STATUS, '--serve', String(barePort), seeded.file, seeded.programId, String(YEAR)], process.env, /ready/, barePort);
  let bareHttp: number[];
  try {
    await get(bare.port, `/status?year=${YEAR}`); // warm
    bareHttp = await load(concurrency, httpCalls, () => get(bare.port, `/status?year=${YEAR}`));
  } finally {
    await bare.stop();
  }

  // In process: the application layer, against the same (or an equivalent) bare query.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bareQueries = require(BARE_STATUS) as {
    matrix: (file: string, programId: string, year: number) => unknown;
    counts: (file: string, roundId: string) => unknown;
    page: (file: string, roundId: string, offset: number, limit: number) => unknown;
  };
  const db = createPrismaClient(`file:${seeded.file}`);
  const app: Record<'matrix' | 'counts' | 'page', { kybao: number[]; bare: number[] }> = { matrix: { kybao: [], bare: [] }, counts: { kybao: [], bare: [] }, page: { kybao: [], bare: [] } };
  try {
    const program = await resolveProgram(db, { id: seeded.programId });
    let offset = 0;
    const nextOffset = () => (offset = (offset + 100) % n);
    const matrixCalls = ctx.quick ? 4 : 8;
    app.matrix.kybao = await load(concurrency, matrixCalls, async () => void (await collectYear({ db, gateway: null }, program, YEAR)));
    app.matrix.bare = await load(concurrency, matrixCalls, async () => void bareQueries.matrix(seeded.file, seeded.programId, YEAR));
    app.counts.kybao = await load(concurrency, appCalls, async () => void (await roundCounts(db, seeded.roundId)));
    app.counts.bare = await load(concurrency, appCalls, async () => void bareQueries.counts(seeded.file, seeded.roundId));
    app.page.kybao = await load(concurrency, appCalls, async () => void (await roundUnitsPage(db, seeded.roundId, { offset: nextOffset(), limit: 100 })));
    app.page.bare = await load(concurrency, appCalls, async () => void bareQueries.page(seeded.file, seeded.roundId, nextOffset(), 100));
  } finally {
    await db.$disconnect();
  }

  const p = (xs: number[], q: number) => round3(percentile(xs, q));
  const latencyRow = (name: string, kybaoName: string, kybaoRuns: number[], baselineName: string, baselineRuns: number[], calls: number) =>
    makeRow({
      name,
      unit: 'ms',
      better: 'lower',
      kybao: { name: kybaoName, runs: kybaoRuns },
      baseline: { name: baselineName, runs: baselineRuns },
      target: null,
      details: { 'kybao p99 (ms)': p(kybaoRuns, 0.99), 'baseline p99 (ms)': p(baselineRuns, 0.99), calls, concurrency },
      median: (xs) => percentile(xs, 0.5),
    });
  const rows = [
    latencyRow('CLI status --json, p50', 'kybao status --json', kybaoCli, 'node + one SQL query', bareCli, cliCalls),
    latencyRow(`HTTP GET /api/years/${YEAR}/status, p50`, 'kybao web (fastify)', kybaoHttp, 'node:http + one SQL query', bareHttp, httpCalls),
    latencyRow('collectYear (the matrix, in process), p50', 'app/status.ts collectYear', app.matrix.kybao, 'one SQL query (better-sqlite3)', app.matrix.bare, app.matrix.kybao.length),
    latencyRow('roundCounts (one round), p50', 'app/status.ts roundCounts', app.counts.kybao, 'one GROUP BY (better-sqlite3)', app.counts.bare, appCalls),
    latencyRow('roundUnitsPage (100 units), p50', 'app/status.ts roundUnitsPage', app.page.kybao, 'one page query (better-sqlite3)', app.page.bare, appCalls),
  ];
  // Latency lists are long: keep the percentiles and drop the raw samples from the report.
  for (const r of rows) {
    for (const side of [r.kybao, r.baseline]) if (side && side.runs.length > 50) side.runs = [p(side.runs, 0.5), p(side.runs, 0.9), p(side.runs, 0.99)];
  }
  return {
    id: 'status-latency',
    title: 'Status latency',
    method:
      `${n.toLocaleString('en-US')} units × ${ROUNDS} rounds (quarterly, 2014–2020) in a SQLite database, the status of ${YEAR} asked ` +
      `by ${concurrency} concurrent clients on loopback. CLI: ${cliCalls} runs of \`kybao status --year ${YEAR} --json\` (compiled; no cycle ` +
      `workflow runs, so its rounds come from the database) against as many runs of a bare node script printing the same matrix from one ` +
      `SQL query. HTTP: ${httpCalls} requests (keep-alive) to GET /api/years/${YEAR}/status of \`kybao web\` (its own process, a coordinator's ` +
      `bearer session, request logging on as deployed) against a bare node:http server in its own process answering that query. In process: ` +
      `app/status.ts collectYear, roundCounts and roundUnitsPage (100 units) against equivalent better-sqlite3 queries. p50 in the table, ` +
      `p99 in the details; with more than 50 samples a side's runs are given as p50, p90, p99.`,
    rows,
    breakdown: [],
    notes: [
      'kybao answers with every unit of every round of the year (rounds with counts, rates and each unit\'s status) and checks the session; the bare side returns the unit × round status map only.',
    ],
    todo: null,
  };
}
