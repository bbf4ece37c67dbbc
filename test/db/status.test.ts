import { collectYear, ratesByCategory, roundStatuses, roundUnitsPage, allRoundUnits } from '../../app/status';
import { defaultProgramPath, loadProgramFile } from '../../domain/program/load-file';
import type { Db } from '../../infra/db/client';
import { enqueueNotification } from '../../infra/db/outbox-repository';
import { loadProgram } from '../../infra/db/program-repository';
import { recordSubmission, setObligationStatus, upsertObligations, upsertRound } from '../../infra/db/round-repository';
import { providers, uniqueId, useMigratedDatabase } from './harness';

/**
 * app/status.ts reads a whole round in a few queries (the year's matrix) and a page of a round with the
 * same row builder; the dashboard and the year's API read two columns per unit (roundStatuses). These
 * tests hold the whole read to the page-by-page one on rounds with every kind of per-unit data.
 */
const Q1_DEADLINE = '2015-03-24T17:00:00.000Z';
const EXTENDED_TO = '2015-04-07T17:00:00.000Z';

async function seedRound(db: Db) {
  const program = { ...loadProgramFile(defaultProgramPath), id: uniqueId('p925') };
  await loadProgram(db, program);
  const unitIds = program.units.map((u) => u.id);
  const roundId = `${program.id}:2015-Q1`;
  await upsertRound(db, {
    id: roundId,
    programId: program.id,
    year: 2015,
    kind: 'quarterly-report',
    title: { vi: 'Báo cáo quý I/2015', en: 'Q1 2015 report' },
    deadline: Q1_DEADLINE,
    openedAt: '2015-03-01T01:00:00Z',
    actor: 'test',
  });
  await upsertObligations(db, { roundId, obligations: unitIds.map((unitId) => ({ unitId, dueAt: Q1_DEADLINE })), at: '2015-03-01T01:00:00Z' });
  const [a, b, c, d] = unitIds as [string, string, string, string];
  // a: on time, then a revision; b: extended, then late against the new deadline; c: a reminder and an
  // overdue notice, nothing else; d: the deadline moved twice.
  await recordSubmission(db, { roundId, unitId: a, submittedBy: 'agency:a', submittedAt: '2015-03-20T03:00:00Z', fileRef: 'q1-a.pdf' });
  await recordSubmission(db, { roundId, unitId: a, submittedBy: 'agency:a', submittedAt: '2015-03-21T03:00:00Z', fileRef: 'q1-a-v2.pdf' });
  await setObligationStatus(db, { roundId, unitId: b, status: 'extended', dueAt: EXTENDED_TO, reason: 'lũ lụt', actor: 'coordinator@so.example', at: '2015-03-22T02:00:00Z' });
  await recordSubmission(db, { roundId, unitId: b, submittedBy: 'agency:b', submittedAt: '2015-04-08T03:00:00Z', fileRef: 'q1-b.pdf' });
  await setObligationStatus(db, { roundId, unitId: d, status: 'extended', dueAt: EXTENDED_TO, reason: 'first', at: '2015-03-22T02:00:00Z' });
  await setObligationStatus(db, { roundId, unitId: d, status: 'extended', dueAt: '2015-04-14T17:00:00.000Z', reason: 'second', at: '2015-04-01T02:00:00Z' });
  for (const [kind, step] of [['reminder', 'd-3'], ['overdue', null]] as const) {
    await enqueueNotification(db, { idempotencyKey: `${roundId}:${c}:${kind}`, roundId, unitId: c, kind, step, recipients: [{ email: 'c@so.example' }], language: 'vi', subject: kind, bodyText: kind });
  }
  return { program, roundId, unitIds, a, b, c, d };
}

describe.each(providers)('status reads on %s', (provider) => {
  const database = useMigratedDatabase(provider);

  test('when a whole round is read at once, then it equals the round read page by page, unit for unit', async () => {
    const { db } = database();
    const { roundId, unitIds } = await seedRound(db);
    const whole = await allRoundUnits(db, roundId);
    const paged = [];
    for (let offset = 0; offset < unitIds.length; offset += 3) paged.push(...(await roundUnitsPage(db, roundId, { offset, limit: 3 })));
    expect(whole.map((u) => u.unitId)).toEqual([...unitIds].sort());
    expect(whole).toEqual(paged);
  });

  test('when units submitted, were extended and were sent notices, then the whole read shows each with its own', async () => {
    const { db } = database();
    const { roundId, a, b, c, d } = await seedRound(db);
    const byUnit = new Map((await allRoundUnits(db, roundId)).map((u) => [u.unitId, u]));
    expect(byUnit.get(a)).toMatchObject({ status: 'submitted', submittedAt: '2015-03-20T03:00:00.000Z', lateByMs: 0, extensions: [], sent: [] });
    expect(byUnit.get(a)!.submissions).toEqual([
      { version: 1, at: '2015-03-20T03:00:00.000Z', reference: 'q1-a.pdf', by: 'agency:a' },
      { version: 2, at: '2015-03-21T03:00:00.000Z', reference: 'q1-a-v2.pdf', by: 'agency:a' },
    ]);
    // Late against the extended deadline: 2015-04-08T03:00Z − 2015-04-07T17:00Z = 10 h.
    expect(byUnit.get(b)).toMatchObject({ status: 'late', dueAt: EXTENDED_TO, lateByMs: 10 * 3_600_000 });
    expect(byUnit.get(b)!.extensions).toEqual([{ until: EXTENDED_TO, reason: 'lũ lụt', by: 'coordinator@so.example', at: '2015-03-22T02:00:00.000Z' }]);
    expect(byUnit.get(c)).toMatchObject({ status: 'pending', submissions: [], extensions: [], sent: ['reminder:d-3', 'overdue:'] });
    expect(byUnit.get(d)!.extensions.map((e) => [e.until, e.reason])).toEqual([
      [EXTENDED_TO, 'first'],
      ['2015-04-14T17:00:00.000Z', 'second'],
    ]);
  });

  test('when the cells of a round are read, then each unit has its status in unit-id order, whole or a page', async () => {
    const { db } = database();
    const { roundId, a, b } = await seedRound(db);
    const whole = await allRoundUnits(db, roundId);
    const cells = await roundStatuses(db, roundId);
    expect(cells).toEqual(whole.map((u) => ({ unitId: u.unitId, status: u.status })));
    expect(cells.find((x) => x.unitId === a)?.status).toBe('submitted');
    expect(cells.find((x) => x.unitId === b)?.status).toBe('late');
    expect(await roundStatuses(db, roundId, { offset: 2, limit: 3 })).toEqual(cells.slice(2, 5));
    expect(await roundStatuses(db, roundId, { offset: cells.length })).toEqual([]);
  });

  test('when the year is collected without units, then counts and rates are those of the full matrix and category rates match from the cells', async () => {
    const { db } = database();
    const { program, roundId, unitIds } = await seedRound(db);
    const full = await collectYear({ db, gateway: null }, program, 2015);
    const light = await collectYear({ db, gateway: null }, program, 2015, undefined, { units: false });
    expect(full.rounds.map((r) => r.roundId)).toEqual([roundId]);
    expect(full.rounds[0]!.units).toHaveLength(unitIds.length);
    expect(full.rounds[0]!.counts).toMatchObject({ submitted: 1, late: 1, extended: 1, pending: unitIds.length - 3 });
    expect(light.rounds[0]!.units).toEqual([]);
    expect(light.rounds.map(({ units: _u, ...r }) => r)).toEqual(full.rounds.map(({ units: _u, ...r }) => r));
    const fromCells = ratesByCategory(program, { rounds: [{ units: await roundStatuses(db, roundId) }] });
    expect(fromCells).toEqual(ratesByCategory(program, full));
    expect(fromCells.reduce((n, c) => n + c.owed, 0)).toBe(unitIds.length);
  });
});
