import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { listNotifications } from '../../infra/db/outbox-repository';
import type { EscalationDigestRequest, NotifyRequest } from '../../activities/round-types';
import { submitReport } from '../helpers/rounds';
import { roundWorkflowId } from '../../workflows/ids';
import { roundWorkflow } from '../../workflows/round';
import { scheduledRoundInput } from '../helpers/rounds';
import { at, skipTo } from '../helpers/clock';
import { createTestWorker, createTimeSkippingEnv } from '../helpers/temporal';
import { createWorld, type World } from '../helpers/world';
import { keyOf, testDispatcher, waitFor } from './helpers';

/**
 * A real round workflow (Q1 2015, time skipped) whose notify activity loses its completion every first
 * time it runs — the activity did its work, the worker "crashed" before reporting it, Temporal retries —
 * while the outbox dispatcher delivers in the background. Every notification still reaches the sink
 * exactly once.
 */
describe('round workflow → outbox → SMTP, with every notify activity retried', () => {
  let env: TestWorkflowEnvironment;
  let world: World;
  beforeAll(async () => {
    env = await createTimeSkippingEnv('2015-03-02T09:00:00+07:00');
    world = await createWorld();
  });
  afterAll(async () => {
    await world?.close();
    await env?.teardown();
  });

  it('delivers one e-mail per notification', async () => {
    const [onTime, never] = world.program.units.filter((u) => u.reports && u.id !== world.program.coordinator).map((u) => u.id);
    const { input } = scheduledRoundInput(world, 2015, '2015-Q1', [onTime!, never!], 'mail');

    const seen = new Set<string>();
    let calls = 0;
    // Every activity that queues mail: it does its work, then "dies" before reporting it the first time.
    const failFirst = <R>(id: string, result: R): R => {
      calls += 1;
      if (!seen.has(id)) {
        seen.add(id);
        throw new Error('simulated: the worker died before reporting the activity complete');
      }
      return result;
    };
    const activities = {
      ...world.activities,
      async notify(req: NotifyRequest) {
        return failFirst(`${req.kind}|${req.step}|${req.at}|${req.unitIds.join(',')}`, await world.activities.notify(req));
      },
      async notifyEscalationDigest(req: EscalationDigestRequest) {
        return failFirst(`digest|${req.step}|${req.at}`, await world.activities.notifyEscalationDigest(req));
      },
    };
    const { dispatcher, close } = testDispatcher(world);
    dispatcher.start();
    const { worker, taskQueue } = await createTestWorker(env, activities);
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(input.roundId), args: [input] });
      await skipTo(env, at('2015-03-18T10:00'));
      await submitReport(env.client, world.db, input.roundId, { unitId: onTime!, submittedBy: 'clerk', reference: 'files/q1.pdf' });
      return handle.result();
    });
    expect(result.counts).toMatchObject({ submitted: 1, missing: 1 });

    const rows = await waitFor('every notification to be delivered', async () => {
      const r = await listNotifications(world.db, { roundId: input.roundId });
      return r.length > 0 && r.every((n) => n.status === 'sent') && r;
    });
    await close();
    expect(calls).toBe(2 * seen.size); // every notify ran twice
    expect(rows.map((r) => r.idempotencyKey)).toEqual(
      expect.arrayContaining([
        `${input.roundId}|${onTime}|opened|0`,
        `${input.roundId}|${onTime}|receipt|1`,
        `${input.roundId}|${never}|reminder|7`,
        `${input.roundId}|${never}|reminder|3`,
        `${input.roundId}|${never}|reminder|1`,
        `${input.roundId}|${never}|overdue|0`,
        `${input.roundId}|${never}|escalation|1|head`,
        `${input.roundId}|*|escalation|2|above`,
        `${input.roundId}|*|closed|0`,
      ]),
    );
    const perKey = new Map<string, number>();
    for (const m of await world.messages()) {
      const key = keyOf(await readFile(path.join(world.sink.dir, `${m.id}.eml`), 'utf8'));
      if (key) perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }
    expect(Object.fromEntries(perKey)).toEqual(Object.fromEntries(rows.map((r) => [r.idempotencyKey, 1])));
  });
});
