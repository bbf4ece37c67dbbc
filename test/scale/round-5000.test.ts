import { roundInput } from '../../domain/round/from-schedule';
import { roundWorkflowId } from '../../workflows/ids';
import { roundWorkflow } from '../../workflows/round';
import { at } from '../helpers/clock';
import { createTestWorker } from '../helpers/temporal';
import { programWithExtraUnits } from '../helpers/programs';
import { useTestbed } from '../helpers/testbed';

/**
 * National scale: one round of 5,000 units where nobody reports, so every unit gets every reminder, its
 * overdue notice and its escalation. Actions due at the same instant go out as one batched activity,
 * so the round's history stays far below Temporal's limits; the test prints the largest history.
 */
const UNITS = 5_000;

describe(`a round of ${UNITS} units (time skipped)`, () => {
  const bed = useTestbed({ startAt: '2015-03-02T09:00:00+07:00', program: () => programWithExtraUnits('national-scale', UNITS) });

  it('sends every reminder and escalation and keeps each history under 10,000 events', async () => {
    const { env, world } = bed();
    const unitIds = world.program.units.filter((u) => u.id.startsWith('don-vi-')).map((u) => u.id);
    expect(unitIds).toHaveLength(UNITS);
    const input = roundInput(world.program, {
      roundId: 'national-scale:2015-Q1',
      kind: 'quarterly-report',
      year: 2015,
      title: { vi: 'Báo cáo quý I/2015', en: 'Q1 2015 report' },
      deadline: new Date(at('2015-03-25T00:00')).toISOString(),
      unitIds,
    });
    const { worker, taskQueue } = await createTestWorker(env, world.activities);
    const workflowId = roundWorkflowId(input.roundId);
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(roundWorkflow, { taskQueue, workflowId, args: [input] });
      return handle.result();
    });
    expect(result.counts.missing).toBe(UNITS);

    // Every unit: opened + 3 reminders + overdue + escalation to its head; plus one aggregated escalation.
    const perUnit = await world.db.notification.groupBy({ by: ['kind'], where: { roundId: input.roundId, unitId: { not: null } }, _count: true });
    expect(Object.fromEntries(perUnit.map((g) => [g.kind, g._count]))).toEqual({
      opened: UNITS,
      reminder: 3 * UNITS,
      overdue: UNITS,
      escalation: UNITS,
    });

    // Read every run of the round's history (continue-as-new chains share the workflow id).
    const lengths: number[] = [];
    try {
      for await (const wf of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
        const history = await env.client.workflow.getHandle(workflowId, wf.runId).fetchHistory();
        lengths.push(history.events?.length ?? 0);
      }
    } catch {
      // The test server's visibility store may not answer list queries; the latest run is read below.
    }
    if (lengths.length === 0) lengths.push(((await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).length);
    const largest = Math.max(...lengths);
    console.log(`round of ${UNITS} units: ${lengths.length} run(s), largest history ${largest} events (limit 10,000)`);
    expect(largest).toBeLessThan(10_000);
  }, 900_000);
});
