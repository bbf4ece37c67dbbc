import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { listNotifications } from '../../infra/db/outbox-repository';
import { DEFAULT_TEMPLATES_DIR } from '../../activities/mail/templates';
import { createKybaoWorker } from '../../worker/run';
import { workflowBundle } from '../helpers/bundle';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { createWorld, type World } from '../helpers/world';
import { seedRound, waitFor } from './helpers';

/** The worker process runs the outbox dispatcher beside the Temporal worker, and checks templates first. */
describe('createKybaoWorker and the dispatcher', () => {
  let temporal: TestWorkflowEnvironment;
  let world: World;
  beforeAll(async () => {
    temporal = await createTimeSkippingEnv();
    world = await createWorld();
  });
  afterAll(async () => {
    await world?.close();
    await temporal?.teardown();
  });

  test('the dispatcher starts with the worker, delivers what notify queues, and stops with close()', async () => {
    const env = { ...world.env, TEMPORAL_ADDRESS: temporal.address, MAIL_POLL_SECONDS: 0.1 };
    const { worker, dispatcher, close } = await createKybaoWorker(env, { workflowBundle: await workflowBundle(), dispatcher: { log: () => undefined } });
    expect(dispatcher).not.toBeNull();
    const running = worker.run();
    try {
      const roundId = 'worker-test:2015-Q1';
      await seedRound(world, roundId, ['so-noi-vu']);
      await world.activities.notify({ roundId, kind: 'opened', step: 0, unitIds: ['so-noi-vu'], at: '2015-03-02T02:00:00.000Z' });
      const [row] = await waitFor('the opened notice to be sent', async () => {
        const rows = await listNotifications(world.db, { roundId });
        return rows.every((r) => r.status === 'sent') && rows;
      });
      expect((await world.messages()).filter((m) => m.messageId === row!.messageId)).toHaveLength(1);
    } finally {
      worker.shutdown();
      await running;
      await close();
    }
    // stopped: a notification queued now stays queued
    const roundId = 'worker-test:after-close';
    await seedRound(world, roundId, ['so-khdt']);
    await world.activities.notify({ roundId, kind: 'opened', step: 0, unitIds: ['so-khdt'], at: '2015-03-02T02:00:00.000Z' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await listNotifications(world.db, { roundId })).map((r) => r.status)).toEqual(['queued']);
  });

  test('MAIL_DISPATCHER=false: no dispatcher in this process', async () => {
    const env = { ...world.env, TEMPORAL_ADDRESS: temporal.address, MAIL_DISPATCHER: false };
    const { worker, dispatcher, close } = await createKybaoWorker(env, { workflowBundle: await workflowBundle() });
    expect(dispatcher).toBeNull();
    const running = worker.run();
    worker.shutdown();
    await running;
    await close();
  });

  test('a broken template stops the worker at start-up, naming the file and the variable', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-broken-templates-'));
    try {
      cpSync(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
      writeFileSync(path.join(dir, 'en', 'overdue.subject.hbs'), '[kybao] Overdue: {{round.titel}}\n');
      const env = { ...world.env, TEMPORAL_ADDRESS: temporal.address, KYBAO_MAIL_TEMPLATES_DIR: dir };
      await expect(createKybaoWorker(env, { workflowBundle: await workflowBundle() })).rejects.toThrow(
        /mail templates in .* do not render:\n {2}mail template .*en\/overdue\.subject\.hbs: "titel" not defined/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
