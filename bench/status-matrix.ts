/**
 * The year's status matrix at scale, old read against new in the same run (issue #14, figure 5, the
 * in-process part only; no Temporal server, no web process):
 *
 *   node_modules/.bin/tsx bench/status-matrix.ts [--units 10000] [--calls 8] [--concurrency 4]
 *
 * Seeds what the status-latency figure seeds (N units × 28 quarterly rounds, bench/figures/status-latency.ts),
 * then times, under C concurrent callers, (a) the read app/status.ts did until commit 226aa8d: every
 * round of the year page by page (500 units a page, each obligation with its full submission rows, the
 * audit rows and notices of the page's units), and (b) `collectYear` now. Prints p50/p99 of each (ms)
 * and new/old, after checking that both give the same units.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveProgram } from '../app/programs';
import { collectYear, roundCounts } from '../app/status';
import type { ObligationStatus, UnitRoundStatus } from '../domain/round/schema';
import { createPrismaClient, type Db } from '../infra/db/client';
import { listRounds } from '../infra/db/round-repository';
import { seed } from './figures/status-latency';
import { percentile } from './stats';

const YEAR = 2015;

/** The page read of app/status.ts before this change (commit 226aa8d), kept as the reference. */
async function oldPage(db: Db, roundId: string, offset: number, limit: number): Promise<UnitRoundStatus[]> {
  const obligations = await db.obligation.findMany({ where: { roundId }, orderBy: { unitId: 'asc' }, skip: offset, take: limit, include: { submissions: { orderBy: { version: 'asc' } } } });
  if (!obligations.length) return [];
  const unitIds = obligations.map((o) => o.unitId);
  const moves = await db.auditLog.findMany({ where: { roundId, action: 'obligation.status', unitId: { in: unitIds } }, orderBy: { id: 'asc' } });
  const extensions = new Map<string, UnitRoundStatus['extensions']>();
  for (const m of moves) {
    const d = JSON.parse(m.details) as { changes?: { dueAt?: { to: string } }; reason?: string };
    if (!d.changes?.dueAt || !m.unitId) continue;
    extensions.set(m.unitId, [...(extensions.get(m.unitId) ?? []), { until: d.changes.dueAt.to, reason: d.reason ?? '', by: m.actor, at: m.at.toISOString() }]);
  }
  const notices = await db.notification.findMany({ where: { roundId, unitId: { in: unitIds } }, select: { unitId: true, kind: true, step: true }, orderBy: { id: 'asc' } });
  const sent = new Map<string, string[]>();
  for (const n of notices) if (n.unitId) sent.set(n.unitId, [...(sent.get(n.unitId) ?? []), `${n.kind}:${n.step ?? ''}`]);
  return obligations.map((o) => ({
    unitId: o.unitId,
    dueAt: o.dueAt.toISOString(),
    status: o.status as ObligationStatus,
    submittedAt: o.submittedAt?.toISOString() ?? null,
    lateByMs: o.lateByMs === null ? null : Number(o.lateByMs),
    submissions: o.submissions.map((s) => ({ version: s.version, at: s.submittedAt.toISOString(), reference: s.fileRef ?? '', by: s.submittedBy })),
    extensions: extensions.get(o.unitId) ?? [],
    sent: sent.get(o.unitId) ?? [],
  }));
}

/** The old collectYear's database part: each round's counts and every unit, page by page. */
async function oldYear(db: Db, programId: string): Promise<Array<{ roundId: string; units: UnitRoundStatus[] }>> {
  const out = [];
  for (const r of await listRounds(db, { programId, year: YEAR })) {
    await roundCounts(db, r.id);
    const units: UnitRoundStatus[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await oldPage(db, r.id, offset, 500);
      units.push(...page);
      if (page.length < 500) break;
    }
    out.push({ roundId: r.id, units });
  }
  return out;
}

async function timed(concurrency: number, calls: number, once: () => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < calls) {
        started++;
        const t = performance.now();
        await once();
        ms.push(performance.now() - t);
      }
    }),
  );
  return ms;
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} ${process.argv[i + 1]}: give a whole number of at least 1`);
  return n;
}

async function main(): Promise<void> {
  const units = option('--units', 10_000);
  const calls = option('--calls', 8);
  const concurrency = option('--concurrency', 4);
  const tmp = mkdtempSync(path.join(tmpdir(), 'kybao-status-matrix-'));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const seeded = await seed({ tmp, log }, units);
    const db = createPrismaClient(`file:${seeded.file}`);
    try {
      const program = await resolveProgram(db, { id: seeded.programId });
      const before = await oldYear(db, seeded.programId);
      const after = await collectYear({ db, gateway: null }, program, YEAR);
      const same = JSON.stringify(before) === JSON.stringify(after.rounds.map((r) => ({ roundId: r.roundId, units: r.units })));
      if (!same) throw new Error('the old and the new read give different units');
      log(`same units from both reads (${after.rounds.length} rounds × ${after.rounds[0]?.units.length ?? 0} units)`);
      const oldMs = await timed(concurrency, calls, () => oldYear(db, seeded.programId));
      const newMs = await timed(concurrency, calls, () => collectYear({ db, gateway: null }, program, YEAR));
      const f = (x: number) => x.toFixed(0);
      const p50 = [percentile(oldMs, 0.5), percentile(newMs, 0.5)] as const;
      const p99 = [percentile(oldMs, 0.99), percentile(newMs, 0.99)] as const;
      process.stdout.write(
        `status matrix ${YEAR}, ${units.toLocaleString('en-US')} units × 28 rounds, ${calls} calls, ${concurrency} concurrent\n` +
          `  old (page by page): p50 ${f(p50[0])} ms, p99 ${f(p99[0])} ms\n` +
          `  new (collectYear):  p50 ${f(p50[1])} ms, p99 ${f(p99[1])} ms\n` +
          `  new/old: p50 ${(p50[1] / p50[0]).toFixed(3)}, p99 ${(p99[1] / p99[0]).toFixed(3)}\n`,
      );
    } finally {
      await db.$disconnect();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
