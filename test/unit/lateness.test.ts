import { computeYearSchedule } from '../../domain/calendar/schedule';
import { loadProgramFile } from '../../domain/program/load-file';
import { roundInputFromSchedule } from '../../domain/round/from-schedule';
import { isLate, lastDayToSubmit, lateByMs, lateness, latenessOfIso } from '../../domain/round/lateness';
import { outlineOf } from '../../domain/program/outline';
import { ShardInput, ratesOf } from '../../domain/round/schema';
import { ShardState } from '../../workflows/shard-state';
import { renderRound, type RoundView } from '../../client/cli/actions/status';
import { lateBy, timeliness } from '../../client/cli/output';

/**
 * Issue #12, item 2: Q1 2015 is due "before 25 March", i.e. at 2015-03-25T00:00:00+07:00. A report that
 * arrives at exactly that instant is late (by 0 ms); one millisecond earlier it is on time.
 */
const program = loadProgramFile();
const Q1 = computeYearSchedule(program, 2015).rounds.find((r) => r.roundKey === '2015-Q1')!;
const DUE = Date.parse('2015-03-25T00:00:00+07:00');

describe('the lateness rule (domain/round/lateness.ts)', () => {
  test('the issue’s deadline is the program’s Q1 2015 deadline', () => {
    expect(Q1.deadline).toBe('2015-03-25T00:00:00+07:00');
    expect(Q1.deadlineMs).toBe(DUE);
    expect(DUE).toBe(1427216400000);
  });

  test.each([
    ['2015-03-24T00:00:00.000+07:00 (a day early)', DUE - 86_400_000, { late: false, lateByMs: 0, status: 'submitted' }],
    ['2015-03-24T23:59:59.999+07:00 (1 ms before)', DUE - 1, { late: false, lateByMs: 0, status: 'submitted' }],
    ['2015-03-25T00:00:00.000+07:00 (the instant itself)', DUE, { late: true, lateByMs: 0, status: 'late' }],
    ['2015-03-25T00:00:00.001+07:00 (1 ms after)', DUE + 1, { late: true, lateByMs: 1, status: 'late' }],
    ['2015-03-27T12:00:00.000+07:00 (2½ days after)', DUE + 2.5 * 86_400_000, { late: true, lateByMs: 216_000_000, status: 'late' }],
  ])('a submission at %s', (_label, at, expected) => {
    expect(lateness(at, DUE)).toEqual(expected);
    expect(isLate(at, DUE)).toBe(expected.late);
    expect(lateByMs(at, DUE)).toBe(expected.lateByMs);
  });

  test('ISO instants in any offset give the same answer', () => {
    expect(latenessOfIso('2015-03-24T17:00:00.000Z', '2015-03-25T00:00:00+07:00')).toEqual({ late: true, lateByMs: 0, status: 'late' });
    expect(latenessOfIso('2015-03-24T16:59:59.999Z', '2015-03-25T00:00:00+07:00')).toEqual({ late: false, lateByMs: 0, status: 'submitted' });
  });

  test('an instant that is not a number or not a date is refused with what was wrong', () => {
    expect(() => isLate(Number.NaN, DUE)).toThrow('the submission instant must be epoch milliseconds, got NaN');
    expect(() => lateByMs(DUE, Number.POSITIVE_INFINITY)).toThrow('the deadline instant must be epoch milliseconds, got Infinity');
    expect(() => latenessOfIso('25/03/2015', '2015-03-25T00:00:00+07:00')).toThrow('"25/03/2015" is not an ISO-8601 instant');
  });
});

describe('the shard state applies the rule (workflows/shard-state.ts, what a round shard keeps)', () => {
  const [a, b] = program.units.filter((u) => u.reports).map((u) => u.id);
  const round = roundInputFromSchedule(outlineOf(program, '0'.repeat(64)), Q1, { roundId: `${program.id}:2015-Q1` });
  const input = ShardInput.parse({ ...round, shard: 1, trackFrom: '2015-03-02T09:00:00+07:00', roundWorkflowId: `round:${round.roundId}` });
  const start = () => ShardState.start(input, [a!, b!].map((unitId) => ({ unitId, dueAt: Q1.deadline, status: 'pending' as const })));

  test('a report at the instant is late by 0 ms; one 1 ms earlier is on time; the rates count them apart', () => {
    const state = start();
    expect(state.recordSubmission(a!, DUE, 'files/a.pdf', 'clerk@a')).toEqual({ version: 1, onTime: false, lateByMs: 0, dueAt: DUE });
    expect(state.recordSubmission(b!, DUE - 1, 'files/b.pdf', 'clerk@b')).toEqual({ version: 1, onTime: true, lateByMs: 0, dueAt: DUE });
    const status = state.status('open');
    expect(status.units.map((u) => [u.unitId, u.status, u.lateByMs])).toEqual([
      [a, 'late', 0],
      [b, 'submitted', 0],
    ]);
    expect(status.counts).toMatchObject({ submitted: 1, late: 1 });
    expect(ratesOf(status.counts)).toEqual({ completionRate: 1, timelinessRate: 0.5 });
  });

  test('kybao status shows the unit as late, "late by 0 (at the deadline instant)", and the receipt says the same', () => {
    const state = start();
    const receipt = state.recordSubmission(a!, DUE, 'files/a.pdf', 'clerk@a');
    expect(timeliness(receipt)).toBe('late by 0 (at the deadline instant)');
    expect(timeliness({ onTime: true, lateByMs: 0 })).toBe('on time');
    expect(timeliness({ onTime: false, lateByMs: 2.5 * 86_400_000 })).toBe('late by 2d 12h');
    expect(lateBy(null)).toBe('');

    const s = state.status('open');
    const view: RoundView = { ...s, ...ratesOf(s.counts), roundId: round.roundId, kind: 'quarterly-report', title: round.title, deadline: Q1.deadline, key: '2015-Q1', state: 'open', source: 'database' };
    const lines = renderRound(program, view).split('\n');
    expect(lines.find((l) => l.startsWith(`${a} `))!.split(/\s{2,}/)).toEqual([a, 'late', 'Wed 2015-03-25 00:00', 'Wed 2015-03-25 00:00', '0 (at the deadline instant)', '1']);
    expect(lines.find((l) => l.startsWith(`${b} `))!.split(/\s{2,}/)).toEqual([b, 'pending', 'Wed 2015-03-25 00:00', '0']);
  });

  test('the last day to submit is the day of the last on-time instant, whatever the hour of the deadline', () => {
    const zone = 'Asia/Ho_Chi_Minh';
    // "Before the 25th": 00:00 on the 25th, so the 24th is the last day (the agency page and the mails).
    expect(lastDayToSubmit(Date.parse('2015-03-25T00:00:00+07:00'), zone)).toBe('2015-03-24');
    // An ad hoc deadline at 17:00 on the 9th leaves the 9th itself.
    expect(lastDayToSubmit(Date.parse('2015-04-09T17:00:00+07:00'), zone)).toBe('2015-04-09');
    // 00:00:00.001 on the 25th: the 25th (its first millisecond is on time).
    expect(lastDayToSubmit(Date.parse('2015-03-25T00:00:00.001+07:00'), zone)).toBe('2015-03-25');
  });
});
