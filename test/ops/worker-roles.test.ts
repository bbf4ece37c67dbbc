import { DateTime } from 'luxon';
import { WorkflowGateway } from '../../app/workflow-gateway';
import { roundInput } from '../../domain/round/from-schedule';
import { roundIdOf, roundShardWorkflowId, roundWorkflowId } from '../../workflows/ids';
import { roundWorkflow } from '../../workflows/round';
import { freePort, spawnWorker, type WorkerProcess } from '../../scripts/faults/worker-process';
import { useTestbed } from '../helpers/testbed';
import { activityWorkerEnv } from '../helpers/worker-env';

/**
 * KYBAO_WORKER_ROLE split across two real worker processes on one task queue (dev server): the
 * `workflows` process runs every workflow task and no activity, and starts without a database it can
 * reach, a link secret or mail; the `activities` process runs every activity and no workflow task, and
 * its dispatcher sends the mail. A round runs across the two: obligations are written, a submission gets
 * its receipt, the unit gets its notices.
 */
const taskQueue = `kybao-roles-${process.pid}`;

describe('a worker split by role (KYBAO_WORKER_ROLE)', () => {
  const bed = useTestbed({ server: 'dev' });
  const workers: WorkerProcess[] = [];
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
  });

  async function start(role: 'workflows' | 'activities', env: Record<string, string | undefined>): Promise<{ w: WorkerProcess; health: string }> {
    const healthPort = await freePort();
    const w = spawnWorker(role, {
      TEMPORAL_ADDRESS: bed().env.address,
      KYBAO_TASK_QUEUE: taskQueue,
      KYBAO_WORKER_ROLE: role,
      KYBAO_WORKER_HEALTH_PORT: String(healthPort),
      KYBAO_LOG_LEVEL: 'info',
      ...env,
    });
    workers.push(w);
    await w.waitForLine((l) => l.msg === 'health listener ready (/healthz, /readyz)', 90_000);
    return { w, health: `http://127.0.0.1:${healthPort}` };
  }

  it('runs a round with workflow tasks in one process and activities in the other', async () => {
    const { env, world } = bed();
    // Nothing listens on port 1: a workflows process that opened the database would not be ready.
    const workflows = await start('workflows', { DATABASE_URL: 'postgresql://kybao@127.0.0.1:1/nothing', KYBAO_LINK_SECRET: undefined, SMTP_HOST: '127.0.0.1', SMTP_PORT: '1' });
    const activities = await start('activities', activityWorkerEnv(world, 'roles-test-link-secret-0123456789abcdef0123'));

    // Each polls only for what its role takes.
    const identities = async (taskQueueType: number) =>
      ((await env.client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType })).pollers ?? []).map((p) => p.identity?.split('@')[0]);
    const deadline = Date.now() + 30_000;
    while ((await identities(1)).length === 0 || (await identities(2)).length === 0) {
      if (Date.now() > deadline) throw new Error('the two workers did not poll within 30 s');
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await identities(1)).toEqual([String(workflows.w.pid)]);
    expect(await identities(2)).toEqual([String(activities.w.pid)]);
    for (const { health } of [workflows, activities]) {
      const ready = await fetch(`${health}/readyz`);
      expect(ready.status).toBe(200);
    }

    const units = world.program.units.filter((u) => u.reports).slice(0, 2).map((u) => u.id);
    const roundId = roundIdOf(world.program.id, `roles-${process.pid}`);
    const deadlineDay = DateTime.now().setZone(world.program.timeZone).plus({ days: 8 }).startOf('day').toISO()!;
    const input = roundInput(world.outline, { roundId, kind: 'adhoc', year: DateTime.now().setZone(world.program.timeZone).year, title: { vi: 'Báo cáo tách vai', en: 'Split roles report' }, deadline: deadlineDay, audience: { unitIds: units } });
    await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId: roundWorkflowId(roundId), args: [input] });
    const gateway = new WorkflowGateway(env.client, { db: world.db, taskQueue, busyRetryMs: 60_000 });
    for (let i = 0; (await world.db.obligation.count({ where: { roundId } })) < 2; i++) {
      if (i > 300) throw new Error('obligations were not written within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    const receipt = await gateway.submitReport(roundId, { unitId: units[0]!, submittedBy: `clerk@${units[0]}`, reference: 'roles/bao-cao.pdf' }, Date.now());
    expect(receipt).toMatchObject({ unitId: units[0], version: 1 });
    expect(await world.db.submission.count({ where: { obligation: { roundId, unitId: units[0] } } })).toBe(1);

    // The shard's history: every workflow task on the workflows process, every activity on the other. (The
    // server records a speculative task, one an Update brought, with no identity: those are left out.)
    const events = (await env.client.workflow.getHandle(roundShardWorkflowId(roundId, 1)).fetchHistory()).events ?? [];
    const workflowTaskPids = new Set(events.flatMap((e) => (e.workflowTaskStartedEventAttributes?.identity ? [e.workflowTaskStartedEventAttributes.identity.split('@')[0]] : [])));
    const activityPids = new Set(events.flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.identity?.split('@')[0]] : [])));
    expect([...workflowTaskPids]).toEqual([String(workflows.w.pid)]);
    expect([...activityPids]).toEqual([String(activities.w.pid)]);
    expect(events.some((e) => e.activityTaskStartedEventAttributes)).toBe(true);
    expect(await activities.w.waitForLine((l) => l.msg === 'activity completed' && l.activityType === 'recordSubmissions', 30_000)).toMatchObject({ roundId });
    expect(workflows.w.lines.filter((l) => l.msg === 'activity completed')).toEqual([]);
    // The outbox dispatcher runs in the activities process (nothing else here sends mail): the unit's
    // opening notice and its receipt reach the sink.
    const contact = world.program.units.find((u) => u.id === units[0])!.contact.email;
    for (let i = 0; (await world.messages()).filter((m) => m.envelopeTo.includes(contact)).length < 2; i++) {
      if (i > 150) throw new Error(`the opening notice and the receipt did not reach ${contact} within 30 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it('refuses an unknown role, naming the variable and the choices', async () => {
    const bad = spawnWorker('bad-role', { KYBAO_WORKER_ROLE: 'both', TEMPORAL_ADDRESS: bed().env.address });
    workers.push(bad);
    expect((await bad.exited).code).toBe(1);
    expect(bad.text() + JSON.stringify(bad.lines)).toMatch(/KYBAO_WORKER_ROLE.*must be all, workflows or activities/);
  });
});
