import type { Client } from '@temporalio/client';
import { roundInput } from '../../domain/round/from-schedule';
import { roundShardWorkflowId, roundWorkflowId } from '../../workflows/ids';
import { roundWorkflow, shardStatusQuery } from '../../workflows/round';
import { WorkflowGateway } from '../../app/workflow-gateway';
import { at } from '../helpers/clock';
import { workflowBundle } from '../helpers/bundle';
import { createTestWorker } from '../helpers/temporal';
import { programWithExtraUnits } from '../helpers/programs';
import { useTestbed } from '../helpers/testbed';
import { fileNameFor, runIdTag, runsOfWorkflow } from '../../client/audit/history';
import { exportHistories, timelineOf } from '../../app/audit';
import { replayHistories } from '../../client/audit/replay';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Many submissions make a long history; the round continues as new when its history passes its soft
 * limit (lowered here to 200 events, the least it takes) and carries its state across, while agencies keep
 * submitting ten at a time with the next ten sent as soon as the last are stored. The stream must not keep
 * a run from handing over (it did: the writer never ran dry, so the shard kept one run to the end). Nothing
 * is lost: every receipt is stored once and the final result counts every unit.
 */
const UNITS = 250;

describe('a round that continues as new under a stream of submissions', () => {
  const bed = useTestbed({ startAt: '2015-03-02T09:00:00+07:00', program: () => programWithExtraUnits('many-submissions', UNITS, 'unit') });

  it('keeps every submission across runs', async () => {
    const { env, world } = bed();
    const unitIds = world.program.units.filter((u) => u.id.startsWith('unit-')).map((u) => u.id);
    const input = {
      ...roundInput(world.outline, {
        roundId: 'many-submissions:2015-Q1',
        kind: 'quarterly-report',
        year: 2015,
        title: { vi: 'Báo cáo quý I/2015', en: 'Q1 2015' },
        deadline: new Date(at('2015-03-25T00:00')).toISOString(),
        audience: { unitIds },
      }),
      // One shard holds every unit; it continues as new after 200 events.
      shardSize: UNITS,
      historySoftLimit: 200,
    };
    const roundWorkflowIdOf = roundWorkflowId(input.roundId);
    const workflowId = roundShardWorkflowId(input.roundId, 1);
    const gateway = new WorkflowGateway(env.client, { db: world.db, taskQueue: '' });
    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    const { result, runs, chain } = await worker.runUntil(async () => {
      await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowIdOf, args: [input] });
      const runs = new Set<string>();
      for (let i = 0; i < unitIds.length; i += 10) {
        const batch = unitIds.slice(i, i + 10);
        await Promise.all(
          batch.map((unitId) =>
            gateway.submitReport(input.roundId, { unitId, submittedBy: `clerk@${unitId}`, reference: `files/${unitId}.pdf` }),
          ),
        );
        runs.add((await env.client.workflow.getHandle(workflowId).describe()).runId);
        if (i + 10 < unitIds.length) {
          const live = await liveStatus(env.client, workflowId);
          expect(live.counts.submitted).toBe(i + batch.length);
        }
      }
      const result = await env.client.workflow.getHandle<typeof roundWorkflow>(roundWorkflowIdOf).result();
      const chain = (await runsOfWorkflow(env.client, workflowId)).map((r) => r.runId);
      return { result, runs, chain };
    });
    console.log(`${UNITS} submissions: the shard ran as ${chain.length} runs, ${runs.size} of them seen while submissions streamed in`);
    // Handed over while the stream was flowing, not only once it stopped.
    expect(runs.size).toBeGreaterThan(2);
    expect(chain).toEqual(expect.arrayContaining([...runs]));
    expect(result.counts?.submitted).toBe(UNITS);
    expect(await world.db.submission.count({ where: { obligation: { roundId: input.roundId } } })).toBe(UNITS);
    expect(await world.db.notification.count({ where: { roundId: input.roundId, kind: 'receipt' } })).toBe(UNITS);
    // The auditor's timeline of the round tells every submission, whichever run of the shard took it.
    const timeline = await timelineOf({ db: world.db, temporal: env.client }, roundWorkflowIdOf);
    const told = timeline.entries.filter((e) => e.kind === 'submission').map((e) => e.text);
    expect(told).toHaveLength(UNITS);
    expect(new Set(unitIds.filter((u) => told.some((t) => t.includes(` ${u} `))))).toEqual(new Set(unitIds));
    // The auditor's export holds every run of the shard beside the round's history (the latest as
    // __shard-1.json, the earlier ones with their run ids), and every run replays from its file alone: a
    // worker that lost its cache (a restart, an eviction under load) rebuilds each run exactly, where it
    // decided to continue as new included.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-can-export-'));
    try {
      const base = fileNameFor(roundWorkflowIdOf).replace(/\.json$/, '');
      const written = await exportHistories(env.client, roundWorkflowIdOf, path.join(dir, `${base}.json`));
      const shardFiles = written.filter((w) => w.workflowId === workflowId);
      expect(shardFiles.map((w) => w.runId)).toEqual(chain);
      expect(shardFiles.map((w) => w.latest)).toEqual(chain.map((_, i) => i === chain.length - 1));
      expect(shardFiles.map((w) => path.basename(w.file))).toEqual(chain.map((runId, i) => `${base}__shard-1${i === chain.length - 1 ? '' : `.${runIdTag(runId)}`}.json`));
      expect(readdirSync(dir).sort()).toEqual(written.map((w) => path.basename(w.file)).sort());
      const outcomes = await replayHistories([dir], { workflowBundle: await workflowBundle() });
      expect(outcomes.filter((o) => !o.ok)).toEqual([]);
      expect(outcomes).toHaveLength(chain.length + 1);
      // Each file names its workflow (the run tag is dropped), so the replay knows which one it ran.
      expect(new Set(outcomes.map((o) => o.workflowId))).toEqual(new Set([roundWorkflowIdOf, workflowId]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

/**
 * The shard's status from its current run. A query that reaches a run in the moment it continues as new is
 * never answered by the time-skipping test server (the worker's answer comes back "workflow execution
 * already completed"), so each attempt has a 5 s deadline and the next goes to the new run.
 */
async function liveStatus(client: Client, workflowId: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.withDeadline(Date.now() + 5_000, () => client.workflow.getHandle(workflowId).query(shardStatusQuery));
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
}
