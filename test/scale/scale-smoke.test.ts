import { runBurst } from '../../scripts/scale/burst';
import { runLifecycle } from '../../scripts/scale/lifecycle';
import { burstLine, lifecycleLine, problemsOf, HISTORY_WARNING_EVENTS, PAYLOAD_WARNING_BYTES } from '../../scripts/scale/run';

/**
 * The CI version of the scale scenario (`npm run scale` runs it at 1,000 / 3,000 / 10,000 units): the same
 * code and the same checks at a size CI can afford (the 1,000-unit run takes minutes on two cores). A
 * program of 300 reporting units starts on a real
 * dev server with its input a reference to the stored definition; every unit submits at once from 64
 * clients; the round closes with counts equal to the receipts; no payload reaches 512 KB, no history
 * 10,240 events, no workflow task fails. Then a 200-unit round runs from opening to close on the
 * time-skipping server: reminders, overdue marks and escalations to exactly the units owing at each instant.
 */
describe('scale scenario, CI size', () => {
  it('absorbs a burst of 300 submissions from 64 clients with no error and closes with matching counts', async () => {
    const f = await runBurst({ units: 300, clients: 64 });
    process.stdout.write(`${burstLine(f)}\n`);
    expect(f.programStart.started).toBe(true);
    // The start request is a reference, not the program: a few dozen bytes whatever the number of units.
    expect(f.programStart.inputBytes).toBeLessThan(200);
    expect(f).toMatchObject({ sent: 300, receipts: 300, errors: 0 });
    expect(f.roundAtClose).toMatchObject({ unitCount: 300, shards: 6, matchesSent: true });
    expect(f.roundAtClose.counts).toMatchObject({ submitted: 300, late: 0, missing: 0 });
    expect(f.histories.payloadBytes.value).toBeLessThan(PAYLOAD_WARNING_BYTES);
    expect(f.histories.historyEvents.value).toBeLessThan(HISTORY_WARNING_EVENTS);
    expect(f.histories.failedTasks).toBe(0);
    // The worker process's own metrics were read: every shard ran tasks there (times are printed, not asserted).
    expect(f.taskExecution?.tasks).toBeGreaterThan(f.roundAtClose.shards);
    expect(problemsOf(f)).toEqual([]);
  }, 900_000);

  it('runs a 200-unit round from opening to close: each notice to exactly the units owing, counts as sent', async () => {
    const f = await runLifecycle({ units: 200, onTimeShare: 0.9, lateShare: 0.04 });
    process.stdout.write(`${lifecycleLine(f)}\n`);
    expect(f).toMatchObject({ units: 200, shards: 4, onTime: 180, late: 8, never: 12, receipts: 188, errors: 0 });
    expect(f.notifications).toMatchObject(f.expected);
    // 20 units owe at each reminder, and one digest per escalation step above the units.
    expect(f.expected).toMatchObject({ opened: 200, reminder: 60, overdue: 20, receipt: 180, 'late-receipt': 8, escalation: 21 });
    expect(f.counts).toMatchObject({ submitted: 180, late: 8, missing: 12 });
    expect(f.countsMatch).toBe(true);
    // It closes at its last escalation, 30 Mar 08:00 +07:00 (the skipped clock runs on a few ms while the close is written).
    const closedLate = Date.parse(f.closedAt!) - Date.parse('2015-03-30T08:00:00+07:00');
    expect(closedLate).toBeGreaterThanOrEqual(0);
    expect(closedLate).toBeLessThan(2_000);
    expect(problemsOf(f)).toEqual([]);
  }, 900_000);
});
