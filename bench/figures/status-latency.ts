import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
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
 * Issue #14, figure 5: latency of the status matrix (units × rounds of a year) with N units × 28
 * rounds in the database, under concurrent load on loopback; p50 and p99.
 *
 * - CLI: `kybao status --year 2015 --json` (compiled; no cycle workflow runs, so the rounds come from
 *   the database) run by C concurrent clients, against a bare script that prints the same matrix from
 *   one SQL query (better-sqlite3), under the same concurrency.
 * - HTTP: kybao has no HTTP endpoint yet (TODO); baseline: node:http answering the same matrix from the
 *   same SQL query, C concurrent keep-alive clients.
 */
const YEAR = 2015;
const ROUNDS = 28;

interface Seeded {
  file: string;
  programId: string;
}

/**
 * A database with the default program plus N synthetic units and 28 quarterly rounds (2014–2020) in
 * which every unit has an obligation: rows written in bulk (bench-only; the repositories write one
 * unit at a time), statuses spread over on time, late, missing and extended.
 */
async function seed(ctx: BenchContext, n: number): Promise<Seeded> {
  const { program, unitIds } = programWithUnits(`bench-status-${n}`, n);
  const base = { ...program, units: program.units.filter((u) => !unitIds.includes(u.id)) };
  const file = path.join(ctx.tmp, `status-${n}.db`);
  await createMigratedSqlite(file);
  const db: Db = createPrismaClient(`file:${file}`);
  try {
    await db.$executeRawUnsafe('PRAGMA synchronous = OFF');
    await loadProgram(db, base, { actor: 'bench' });
    // The full definition (with the synthetic units), as loadProgram would store it.
    await db.program.update({ where: { id: program.id }, data: { definition: JSON.stringify(program) } });
    const now = new Date();
    const extra = program.units.filter((u) => unitIds.includes(u.id));
    for (let i = 0; i < extra.length; i += 2000) {
      const slice = extra.slice(i, i + 2000);
      await db.unit.createMany({ data: slice.map((u) => ({ programId: program.id, id: u.id, category: u.category, nameVi: u.name.vi, nameEn: u.name.en, language: u.language, reports: true, active: true, updatedAt: now })) });
      await db.contact.createMany({ data: slice.map((u) => ({ programId: program.id, unitId: u.id, role: 'reporting', email: u.contact.email })) });
    }
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
  return { file, programId: program.id };
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

function bareHttpServer(seeded: Seeded): Promise<Server> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { matrix } = require(BARE_STATUS) as { matrix: (file: string, programId: string, year: number) => unknown };
  const server = createServer((req, res) => {
    const body = JSON.stringify(matrix(seeded.file, seeded.programId, YEAR));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function get(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/status?year=${YEAR}`, agent: false }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function statusLatency(ctx: BenchContext): Promise<FigureDraft> {
  const n = ctx.quick ? 100 : 10_000;
  const concurrency = ctx.quick ? 2 : 4;
  const cliCalls = ctx.quick ? 4 : 40;
  const httpCalls = ctx.quick ? 20 : 400;
  await buildTargets({ ifStale: true, only: ['programs'], log: ctx.log });
  const server = await ctx.devServer();
  const seeded = await seed(ctx, n);
  const env = { ...process.env, DATABASE_URL: `file:${seeded.file}`, TEMPORAL_ADDRESS: server.connection.options.address };

  // CLI: kybao status, and the bare script, each under the same concurrency.
  const kybaoCli = await load(concurrency, cliCalls, async () => {
    expectExit0(await timeCommand(path.join(REPO_ROOT, 'bin/kybao'), ['status', '--year', String(YEAR), '--program-id', seeded.programId, '--json'], { cwd: REPO_ROOT, env }), 'kybao status');
  });
  const bareCli = await load(concurrency, cliCalls, async () => {
    expectExit0(await timeCommand(process.execPath, [BARE_STATUS, seeded.file, seeded.programId, String(YEAR)], { cwd: REPO_ROOT }), 'bare status script');
  });

  // HTTP: the bare server only, for now.
  const http = await bareHttpServer(seeded);
  let bareHttp: number[];
  try {
    const port = (http.address() as AddressInfo).port;
    await get(port); // warm
    bareHttp = await load(concurrency, httpCalls, () => get(port));
  } finally {
    await new Promise((r) => http.close(r));
  }

  const p = (xs: number[], q: number) => round3(percentile(xs, q));
  const rows = [
    makeRow({
      name: 'CLI status --json, p50',
      unit: 'ms',
      better: 'lower',
      kybao: { name: 'kybao status --json', runs: kybaoCli },
      baseline: { name: 'node + one SQL query', runs: bareCli },
      target: null,
      details: { 'kybao p99 (ms)': p(kybaoCli, 0.99), 'baseline p99 (ms)': p(bareCli, 0.99), calls: cliCalls, concurrency },
      median: (xs) => percentile(xs, 0.5),
    }),
    makeRow({
      name: 'HTTP status matrix, p50',
      unit: 'ms',
      better: 'lower',
      kybao: null,
      baseline: { name: 'node:http + one SQL query', runs: bareHttp },
      target: null,
      details: { 'baseline p99 (ms)': p(bareHttp, 0.99), calls: httpCalls, concurrency },
      median: (xs) => percentile(xs, 0.5),
    }),
  ];
  // Latency lists are long: keep the percentiles and drop the raw samples from the report.
  for (const r of rows) {
    for (const side of [r.kybao, r.baseline]) if (side && side.runs.length > 50) side.runs = [p(side.runs, 0.5), p(side.runs, 0.9), p(side.runs, 0.99)];
  }
  return {
    id: 'status-latency',
    title: 'Status latency',
    method:
      `${n.toLocaleString('en-US')} units × ${ROUNDS} rounds (quarterly, 2014–2020) in a SQLite database, the matrix of ${YEAR} asked ` +
      `by ${concurrency} concurrent clients on loopback: CLI, ${cliCalls} calls of \`kybao status --year ${YEAR} --json\` (compiled; no cycle ` +
      `workflow runs, so its rounds come from the database) against as many runs of a bare node script printing the same matrix from one ` +
      `SQL query; HTTP, ${httpCalls} requests to a bare node:http server answering that query. p50 in the table, p99 in the details; ` +
      `with more than 50 samples a side's runs are given as p50, p90, p99.`,
    rows,
    breakdown: [],
    notes: [],
    todo:
      'kybao has no HTTP status endpoint yet, and `kybao status` reads rounds through the cycle and round workflows when they run; ' +
      'issue #11 moves status to the database. Measure the endpoint in the HTTP row (bench/figures/status-latency.ts) when it exists.',
  };
}
