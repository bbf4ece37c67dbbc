import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { appendAudit } from '../infra/db/audit-repository';
import { ensureCycle, listEstimates, recordDecision, recordEstimate, setCycleStatus } from '../infra/db/budget-repository';
import { closeRound, upsertRound } from '../infra/db/round-repository';
import { REPO_ROOT } from '../infra/db/database-url';
import type { ActivityDeps } from './deps';
import type { CycleRoundSummary } from '../domain/cycle/schema';

/** What a yearly cycle persists: the cycle, budget estimates and decisions, the annual compilation. */
export function createCycleActivities({ db, env }: ActivityDeps) {
  return {
    async openCycle(req: { programId: string; year: number; rounds: CycleRoundSummary[] }): Promise<void> {
      await ensureCycle(db, { programId: req.programId, year: req.year, actor: 'workflow:cycle' });
      const notTracked = req.rounds.filter((r) => r.state === 'not-tracked').map((r) => r.roundId);
      if (notTracked.length) {
        await appendAudit(db, { actor: 'workflow:cycle', action: 'cycle.rounds-not-tracked', details: { year: req.year, rounds: notTracked } });
      }
    },

    async recordEstimate(req: {
      programId: string;
      year: number;
      unitId: string;
      version: number;
      amountVnd: string;
      submittedBy: string;
      submittedAt: string;
      note?: string;
    }): Promise<void> {
      await recordEstimate(db, {
        programId: req.programId,
        year: req.year,
        unitId: req.unitId,
        amountVnd: req.amountVnd,
        submittedBy: req.submittedBy,
        submittedAt: req.submittedAt,
        note: req.note ?? null,
        idempotencyKey: `estimate|${req.programId}|${req.year}|${req.unitId}|v${req.version}`,
        actor: req.submittedBy,
      });
    },

    async recordDecision(req: {
      programId: string;
      year: number;
      unitId: string;
      version: number;
      decision: 'approve' | 'adjust' | 'return';
      amountVnd?: string;
      reason?: string;
      decidedBy: string;
      decidedAt: string;
    }): Promise<void> {
      const versions = await listEstimates(db, { programId: req.programId, year: req.year, unitId: req.unitId });
      const latest = versions[versions.length - 1];
      if (!latest) throw new Error(`no estimate of ${req.unitId} for ${req.year} in the database to decide on`);
      const existing = await db.appraisalDecision.findFirst({ where: { estimateId: latest.id, decidedAt: new Date(req.decidedAt) } });
      if (existing) return; // a retry of a decision already written
      await recordDecision(db, {
        estimateId: latest.id,
        decision: req.decision,
        amountVnd: req.amountVnd ?? null,
        reason: req.reason ?? null,
        decidedBy: req.decidedBy,
        decidedAt: req.decidedAt,
      });
    },

    /** The coordinator's consolidated report for the year, as JSON and Markdown files; returns its path. */
    /**
     * The coordinator's consolidated report for the year, as JSON and Markdown files; returns its path.
     * The estimates are read here (the latest version of each unit's), not carried by the cycle.
     */
    async compileAnnualReport(req: {
      programId: string;
      year: number;
      rounds: CycleRoundSummary[];
      approval: { approvedBy: string; at: string } | null;
    }): Promise<{ reference: string; roundId: string }> {
      const dir = path.resolve(REPO_ROOT, env.KYBAO_REPORTS_DIR, req.programId);
      await mkdir(dir, { recursive: true });
      const base = path.join(dir, `annual-${req.year}`);
      const latest = new Map<string, Awaited<ReturnType<typeof listEstimates>>[number]>();
      for (const e of await listEstimates(db, { programId: req.programId, year: req.year })) {
        if (e.status !== 'superseded') latest.set(e.unitId, e);
      }
      const estimates = [...latest.values()];
      await writeFile(`${base}.json`, JSON.stringify({ ...req, estimates }, null, 2));
      const lines = [
        `# ${req.programId}: consolidated report ${req.year}`,
        '',
        `Plan approval: ${req.approval ? `${req.approval.approvedBy} at ${req.approval.at}` : 'not approved'}`,
        '',
        '| round | kind | deadline | state | on time | late | missing | completion |',
        '|---|---|---|---|---|---|---|---|',
        ...req.rounds.map(
          (r) =>
            `| ${r.title.vi} | ${r.kind} | ${r.deadline} | ${r.state} | ${r.counts?.submitted ?? ''} | ${r.counts?.late ?? ''} | ${r.counts?.missing ?? ''} | ${
              r.completionRate === undefined ? '' : `${Math.round(r.completionRate * 100)}%`
            } |`,
        ),
        '',
        '| unit | estimate (VND) | status | approved (VND) | resubmissions |',
        '|---|---|---|---|---|',
        ...estimates.map((e) => `| ${e.unitId} | ${e.amountVnd} | ${e.status} | ${e.approvedAmountVnd ?? ''} | ${e.version - 1} |`),
      ];
      await writeFile(`${base}.md`, lines.join('\n') + '\n');
      const roundId = `${req.programId}:${req.year}-compilation`;
      const at = new Date();
      await upsertRound(db, {
        id: roundId,
        programId: req.programId,
        year: req.year,
        kind: 'compilation',
        title: { vi: `Báo cáo tổng hợp năm ${req.year}`, en: `Consolidated report ${req.year}` },
        deadline: at,
        actor: 'workflow:cycle',
      });
      await closeRound(db, { roundId, result: { reference: `${base}.md` }, closedAt: at, actor: 'workflow:cycle' });
      await setCycleStatus(db, { programId: req.programId, year: req.year, status: 'closed', actor: 'workflow:cycle' });
      return { reference: path.relative(REPO_ROOT, `${base}.md`), roundId };
    },
  };
}

export type CycleActivities = ReturnType<typeof createCycleActivities>;
