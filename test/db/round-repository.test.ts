import { loadProgramFile, defaultProgramPath } from '../../domain/program/load-file';
import type { Db } from '../../infra/db/client';
import { listAudit } from '../../infra/db/audit-repository';
import { loadProgram } from '../../infra/db/program-repository';
import {
  closeRound,
  getObligation,
  getRound,
  listObligations,
  listSubmissions,
  recordSubmission,
  listSubmissionsOf,
  recordSubmissions,
  roundHasObligations,
  setObligationStatus,
  shardOfUnit,
  submissionStored,
  upsertObligations,
  upsertRound,
} from '../../infra/db/round-repository';
import { directReaderOf } from '../../infra/db/direct-reads';
import { InvalidInputError, InvalidStateError, NotFoundError, inTransaction } from '../../infra/db/shared';
import { providers, uniqueId, useMigratedDatabase } from './harness';

/**
 * Q1 2015 of Decision 925: reports are due "before 25 March", i.e. at 00:00 on 25 March in
 * Asia/Ho_Chi_Minh (UTC+7) = 2015-03-24T17:00:00Z.
 */
const Q1_DEADLINE = '2015-03-24T17:00:00.000Z';
/** 23:59 on 24 March local time: the last on-time minute. */
const LAST_ON_TIME_MINUTE = '2015-03-24T16:59:00.000Z';

async function openQ1Round(db: Db, units = ['so-tttt', 'so-tai-chinh', 'cong-an-tinh']) {
  const program = { ...loadProgramFile(defaultProgramPath), id: uniqueId('p925') };
  await loadProgram(db, program);
  const roundId = `${program.id}-2015-Q1`;
  const round = await upsertRound(db, {
    id: roundId,
    programId: program.id,
    year: 2015,
    kind: 'quarterly',
    title: { vi: 'Báo cáo quý I/2015', en: 'Q1 2015 report' },
    deadline: Q1_DEADLINE,
    openedAt: '2015-03-01T01:00:00Z',
    actor: 'workflow:round-test',
  });
  const obligations = await upsertObligations(db, {
    roundId,
    obligations: units.map((unitId) => ({ unitId, dueAt: Q1_DEADLINE })),
    at: '2015-03-01T01:00:00Z',
  });
  return { program, roundId, round, obligations };
}

describe.each(providers)('round repository on %s', (provider) => {
  const database = useMigratedDatabase(provider);

  test('when a round is opened twice with the same input, then it exists once and is audited once', async () => {
    const { db } = database();
    const { roundId, round, program } = await openQ1Round(db);
    expect(round).toMatchObject({ id: roundId, status: 'open', deadline: Q1_DEADLINE, closedAt: null, result: null, openedAt: '2015-03-01T01:00:00.000Z' });
    const again = await upsertRound(db, {
      id: roundId,
      programId: program.id,
      year: 2015,
      kind: 'quarterly',
      title: { vi: 'Báo cáo quý I/2015', en: 'Q1 2015 report' },
      deadline: Q1_DEADLINE,
    });
    expect(again).toEqual(round);
    expect((await listAudit(db, { roundId, action: 'round.opened' })).length).toBe(1);
    expect((await listAudit(db, { roundId, action: 'round.updated' })).length).toBe(0);
  });

  test('when a round’s deadline moves, then the change is stored and audited; its kind cannot change', async () => {
    const { db } = database();
    const { roundId, program } = await openQ1Round(db);
    const base = { id: roundId, programId: program.id, year: 2015, title: { vi: 'Báo cáo quý I/2015', en: 'Q1 2015 report' } };
    const moved = await upsertRound(db, { ...base, kind: 'quarterly', deadline: '2015-03-25T17:00:00Z' });
    expect(moved.deadline).toBe('2015-03-25T17:00:00.000Z');
    const [audit] = await listAudit(db, { roundId, action: 'round.updated' });
    expect(audit?.details).toEqual({ changes: { deadline: { from: Q1_DEADLINE, to: '2015-03-25T17:00:00.000Z' } } });
    await expect(upsertRound(db, { ...base, kind: 'adhoc', deadline: Q1_DEADLINE })).rejects.toThrow(InvalidStateError);
  });

  test('when obligations are upserted again with more units, then only the new ones are created', async () => {
    const { db } = database();
    const { roundId, obligations } = await openQ1Round(db, ['so-tttt', 'so-tai-chinh']);
    expect(obligations.map((o) => [o.unitId, o.status, o.dueAt])).toEqual([
      ['so-tai-chinh', 'pending', Q1_DEADLINE],
      ['so-tttt', 'pending', Q1_DEADLINE],
    ]);
    await setObligationStatus(db, { roundId, unitId: 'so-tttt', status: 'overdue' });
    const after = await upsertObligations(db, {
      roundId,
      obligations: ['so-tttt', 'so-tai-chinh', 'cong-an-tinh'].map((unitId) => ({ unitId, dueAt: Q1_DEADLINE })),
    });
    expect(after.map((o) => [o.unitId, o.status])).toEqual([
      ['cong-an-tinh', 'pending'],
      ['so-tai-chinh', 'pending'],
      ['so-tttt', 'overdue'], // existing obligations are left as they are
    ]);
    expect((await listAudit(db, { roundId, action: 'obligation.created' })).map((e) => e.unitId)).toEqual([
      'so-tttt',
      'so-tai-chinh',
      'cong-an-tinh',
    ]);
  });

  test('when obligations reference a round or unit that does not exist, then nothing is written', async () => {
    const { db } = database();
    await expect(upsertObligations(db, { roundId: 'no-such-round', obligations: [{ unitId: 'so-tttt', dueAt: Q1_DEADLINE }] })).rejects.toThrow(
      NotFoundError,
    );
    const { roundId } = await openQ1Round(db, ['so-tttt']);
    await expect(
      upsertObligations(db, { roundId, obligations: [{ unitId: 'so-tai-chinh', dueAt: Q1_DEADLINE }, { unitId: 'no-such-unit', dueAt: Q1_DEADLINE }] }),
    ).rejects.toThrow();
    expect((await listObligations(db, roundId)).map((o) => o.unitId)).toEqual(['so-tttt']);
  });

  test('when a unit submits three times, then versions are 1, 2, 3 and only the first decides on-time', async () => {
    const { db } = database();
    const { roundId } = await openQ1Round(db);
    const first = await recordSubmission(db, {
      roundId,
      unitId: 'so-tttt',
      submittedBy: 'contact.so-tttt@thaibinh.example',
      submittedAt: LAST_ON_TIME_MINUTE,
      fileRef: 'files/so-tttt/q1-v1.pdf',
    });
    expect(first.duplicate).toBe(false);
    expect(first.submission).toMatchObject({ version: 1, submittedAt: LAST_ON_TIME_MINUTE, fileRef: 'files/so-tttt/q1-v1.pdf' });
    expect(first.obligation).toMatchObject({ status: 'submitted', submittedAt: LAST_ON_TIME_MINUTE, lateByMs: 0 });

    const second = await recordSubmission(db, { roundId, unitId: 'so-tttt', submittedBy: 'x@thaibinh.example', submittedAt: '2015-03-30T03:00:00Z' });
    const third = await recordSubmission(db, { roundId, unitId: 'so-tttt', submittedBy: 'x@thaibinh.example', submittedAt: '2015-04-02T03:00:00Z' });
    expect([second.submission.version, third.submission.version]).toEqual([2, 3]);
    expect(third.obligation).toMatchObject({ status: 'submitted', submittedAt: LAST_ON_TIME_MINUTE });
    expect((await listSubmissions(db, roundId, 'so-tttt')).map((s) => s.version)).toEqual([1, 2, 3]);
    expect((await listAudit(db, { roundId, unitId: 'so-tttt', action: 'submission.recorded' })).map((e) => (e.details as { version: number }).version)).toEqual([
      1, 2, 3,
    ]);
  });

  test('when a shard stores a batch, then rows, obligations and audit are exactly those of recordSubmission one at a time', async () => {
    const { db } = database();
    const one = await openQ1Round(db);
    const batch = await openQ1Round(db);
    const key = (roundId: string, unitId: string, version: number) => `${roundId}|${unitId}|v${version}`;
    // On time in the last minute, exactly at the deadline instant (late by 0 ms), a day late with the shard's
    // own lateness, and a unit's versions 1 and 2 in the same batch (only 1 decides).
    const items = [
      { unitId: 'so-tttt', version: 1, submittedBy: 'a@thaibinh.example', submittedAt: LAST_ON_TIME_MINUTE, fileRef: 'a-v1.pdf' },
      { unitId: 'so-tai-chinh', version: 1, submittedBy: 'b@thaibinh.example', submittedAt: Q1_DEADLINE, fileRef: 'b.pdf', note: 'Bản ký số' },
      { unitId: 'cong-an-tinh', version: 1, submittedBy: 'c@thaibinh.example', submittedAt: '2015-03-25T17:00:00.000Z', status: 'late' as const, lateByMs: 86_400_000 },
      { unitId: 'so-tttt', version: 2, submittedBy: 'a2@thaibinh.example', submittedAt: '2015-03-26T01:00:00.000Z', fileRef: 'a-v2.pdf' },
    ];
    for (const item of items) await recordSubmission(db, { ...item, roundId: one.roundId, idempotencyKey: key(one.roundId, item.unitId, item.version) });
    expect(await recordSubmissions(db, batch.roundId, items.map((item) => ({ ...item, idempotencyKey: key(batch.roundId, item.unitId, item.version) })))).toEqual({ recorded: 4, duplicates: 0 });

    const stateOf = async (roundId: string) => {
      const units = ['so-tttt', 'so-tai-chinh', 'cong-an-tinh'];
      return {
        obligations: await Promise.all(units.map(async (u) => {
          const o = (await getObligation(db, roundId, u))!;
          return { unitId: o.unitId, status: o.status, submittedAt: o.submittedAt, lateByMs: o.lateByMs, dueAt: o.dueAt };
        })),
        submissions: (await Promise.all(units.map((u) => listSubmissions(db, roundId, u)))).flat().map((s) => ({ ...s, id: 0, obligationId: 0, roundId: '', idempotencyKey: s.idempotencyKey!.slice(roundId.length) })),
        audit: (await listAudit(db, { roundId, action: 'submission.recorded' })).map((e) => ({ at: e.at, actor: e.actor, unitId: e.unitId, details: e.details })),
      };
    };
    const expected = await stateOf(one.roundId);
    expect(expected.obligations).toEqual([
      { unitId: 'so-tttt', status: 'submitted', submittedAt: LAST_ON_TIME_MINUTE, lateByMs: 0, dueAt: Q1_DEADLINE },
      { unitId: 'so-tai-chinh', status: 'late', submittedAt: Q1_DEADLINE, lateByMs: 0, dueAt: Q1_DEADLINE },
      { unitId: 'cong-an-tinh', status: 'late', submittedAt: '2015-03-25T17:00:00.000Z', lateByMs: 86_400_000, dueAt: Q1_DEADLINE },
    ]);
    expect(await stateOf(batch.roundId)).toEqual(expected);

    // A retried activity writes nothing twice; a new version beside the retried ones is written.
    const again = items.map((item) => ({ ...item, idempotencyKey: key(batch.roundId, item.unitId, item.version) }));
    const third = { unitId: 'so-tttt', version: 3, submittedBy: 'a3@thaibinh.example', submittedAt: '2015-03-27T01:00:00.000Z', idempotencyKey: key(batch.roundId, 'so-tttt', 3) };
    expect(await recordSubmissions(db, batch.roundId, [...again, third])).toEqual({ recorded: 1, duplicates: 4 });
    expect((await listSubmissions(db, batch.roundId, 'so-tttt')).map((s) => s.version)).toEqual([1, 2, 3]);
    expect(await getObligation(db, batch.roundId, 'so-tttt')).toMatchObject({ status: 'submitted', submittedAt: LAST_ON_TIME_MINUTE });
    expect(await listAudit(db, { roundId: batch.roundId, action: 'submission.recorded' })).toHaveLength(5);

    // A unit without an obligation, or a key already used for another unit: the whole batch is refused.
    const auditBefore = (await listAudit(db, { roundId: batch.roundId })).length;
    const fourth = { ...third, version: 4, idempotencyKey: key(batch.roundId, 'so-tttt', 4) };
    await expect(recordSubmissions(db, batch.roundId, [fourth, { ...fourth, unitId: 'so-noi-vu', idempotencyKey: 'x' }])).rejects.toThrow(NotFoundError);
    await expect(recordSubmissions(db, batch.roundId, [fourth, { ...fourth, unitId: 'cong-an-tinh', version: 2, idempotencyKey: key(batch.roundId, 'so-tttt', 1) }])).rejects.toThrow(InvalidStateError);
    await expect(recordSubmissions(db, batch.roundId, [{ ...fourth, version: 0 }])).rejects.toThrow(InvalidInputError);
    expect((await listSubmissions(db, batch.roundId, 'so-tttt')).map((s) => s.version)).toEqual([1, 2, 3]);
    expect(await listAudit(db, { roundId: batch.roundId })).toHaveLength(auditBefore);

    // Read back for several units at once (a receipt mail for the batch): each unit's versions as listSubmissions gives them.
    const many = await listSubmissionsOf(db, batch.roundId, ['cong-an-tinh', 'so-tttt', 'so-tai-chinh', 'so-noi-vu']);
    expect([...many.keys()].sort()).toEqual(['cong-an-tinh', 'so-tai-chinh', 'so-tttt']);
    for (const unitId of ['cong-an-tinh', 'so-tttt', 'so-tai-chinh']) expect(many.get(unitId)).toEqual(await listSubmissions(db, batch.roundId, unitId));
    expect(many.get('so-tttt')!.map((s) => s.version)).toEqual([1, 2, 3]);
  });

  test('when the gateway asks which shard holds a unit and whether a receipt is stored, then the plain SQL reads answer as the rows say', async () => {
    const { db } = database();
    const { roundId } = await openQ1Round(db, ['so-tttt', 'so-tai-chinh']);
    await db.obligation.update({ where: { roundId_unitId: { roundId, unitId: 'so-tai-chinh' } }, data: { shard: 7 } });
    expect(await shardOfUnit(db, roundId, 'so-tttt')).toBe(1);
    expect(await shardOfUnit(db, roundId, 'so-tai-chinh')).toBe(7);
    expect(await shardOfUnit(db, roundId, 'cong-an-tinh')).toBeNull();
    expect(await shardOfUnit(db, 'no-such-round', 'so-tttt')).toBeNull();
    // SQLite answers through the driver directly; PostgreSQL, and any client inside a transaction, through $queryRaw: the same answers.
    expect(directReaderOf(db) !== null).toBe(provider === 'sqlite');
    expect(await inTransaction(db, async (tx) => [await shardOfUnit(tx, roundId, 'so-tai-chinh'), await shardOfUnit(tx, roundId, 'cong-an-tinh'), await roundHasObligations(tx, roundId)])).toEqual([7, null, true]);
    expect(await roundHasObligations(db, roundId)).toBe(true);
    expect(await roundHasObligations(db, 'no-such-round')).toBe(false);
    expect(await submissionStored(db, `${roundId}|so-tttt|v1`)).toBe(false);
    await recordSubmissions(db, roundId, [{ unitId: 'so-tttt', version: 1, submittedBy: 'a@thaibinh.example', submittedAt: LAST_ON_TIME_MINUTE, idempotencyKey: `${roundId}|so-tttt|v1` }]);
    expect(await submissionStored(db, `${roundId}|so-tttt|v1`)).toBe(true);
    expect(await submissionStored(db, `${roundId}|so-tttt|v2`)).toBe(false);
  });

  test('when units submit concurrently, then every submission gets its own version', async () => {
    const { db } = database();
    const { roundId } = await openQ1Round(db);
    const results = await Promise.all(
      // Alternately on time and a day late, so the obligation shows which one counted.
      Array.from({ length: 4 }, (_, i) =>
        recordSubmission(db, {
          roundId,
          unitId: 'cong-an-tinh',
          submittedBy: `u${i}@thaibinh.example`,
          submittedAt: i % 2 ? '2015-03-25T17:00:00.000Z' : LAST_ON_TIME_MINUTE,
        }),
      ),
    );
    expect(results.map((r) => r.submission.version).sort()).toEqual([1, 2, 3, 4]);
    // Whichever became version 1 decided the obligation; later versions did not overwrite it.
    const v1 = results.find((r) => r.submission.version === 1)!.submission;
    expect(await getObligation(db, roundId, 'cong-an-tinh')).toMatchObject({ submittedAt: v1.submittedAt, status: v1.submittedAt < Q1_DEADLINE ? 'submitted' : 'late' });
  });

  test('when a report arrives exactly at the deadline instant, then it is late by 0 ms… and a minute later by 60 000 ms', async () => {
    const { db } = database();
    const { roundId } = await openQ1Round(db);
    const atDeadline = await recordSubmission(db, { roundId, unitId: 'so-tttt', submittedBy: 'a@thaibinh.example', submittedAt: Q1_DEADLINE });
    expect(atDeadline.obligation).toMatchObject({ status: 'late', lateByMs: 0 });
    const minuteLate = await recordSubmission(db, { roundId, unitId: 'so-tai-chinh', submittedBy: 'b@thaibinh.example', submittedAt: '2015-03-24T17:01:00Z' });
    expect(minuteLate.obligation).toMatchObject({ status: 'late', lateByMs: 60_000 });
  });

  test('when the overdue notice of the deadline instant races a report received at that instant, then the report stays late', async () => {
    const { db } = database();
    const { roundId } = await openQ1Round(db);
    // The report committed first: the notice's "overdue" (ifNotSubmitted) changes nothing and writes no audit row.
    await recordSubmission(db, { roundId, unitId: 'so-tttt', submittedBy: 'a@thaibinh.example', submittedAt: Q1_DEADLINE });
    const auditBefore = (await listAudit(db, { roundId })).length;
    const kept = await setObligationStatus(db, { roundId, unitId: 'so-tttt', status: 'overdue', actor: 'workflow', at: Q1_DEADLINE, ifNotSubmitted: true });
    expect(kept).toMatchObject({ status: 'late', lateByMs: 0, submittedAt: Q1_DEADLINE });
    expect((await listAudit(db, { roundId })).length).toBe(auditBefore);
    // The notice committed first: the report still decides the obligation.
    const overdue = await setObligationStatus(db, { roundId, unitId: 'so-tai-chinh', status: 'overdue', actor: 'workflow', at: Q1_DEADLINE, ifNotSubmitted: true });
    expect(overdue).toMatchObject({ status: 'overdue', submittedAt: null });
    const after = await recordSubmission(db, { roundId, unitId: 'so-tai-chinh', submittedBy: 'b@thaibinh.example', submittedAt: Q1_DEADLINE });
    expect(after.obligation).toMatchObject({ status: 'late', lateByMs: 0 });
    // Without the option the status is simply set (an extension, a close): the existing behaviour.
    expect(await setObligationStatus(db, { roundId, unitId: 'so-tttt', status: 'missing', actor: 'test' })).toMatchObject({ status: 'missing' });
  });

  test('when a report is 40 days late, then lateByMs exceeds 2^31 and is exact', async () => {
    const { db } = database();
    const { roundId } = await openQ1Round(db);
    const fortyDays = 40 * 24 * 3600 * 1000;
    const late = await recordSubmission(db, {
      roundId,
      unitId: 'so-tttt',
      submittedBy: 'a@thaibinh.example',
      submittedAt: new Date(Date.parse(Q1_DEADLINE) + fortyDays),
    });
    expect(late.obligation.lateByMs).toBe(fortyDays);
    expect((await getObligation(db, roundId, 'so-tttt'))?.lateByMs).toBe(fortyDays);
  });

  test('when a submission is retried with the same idempotency key, then it is recorded once', async () => {
    const { db } = database();
    const { roundId } = await openQ1Round(db);
    const input = { roundId, unitId: 'so-tttt', submittedBy: 'a@thaibinh.example', submittedAt: LAST_ON_TIME_MINUTE, idempotencyKey: `msg-${roundId}@mail` };
    const first = await recordSubmission(db, input);
    const retry = await recordSubmission(db, input);
    expect(retry.duplicate).toBe(true);
    expect(retry.submission).toEqual(first.submission);
    expect(await listSubmissions(db, roundId, 'so-tttt')).toHaveLength(1);
    await expect(recordSubmission(db, { ...input, unitId: 'so-tai-chinh' })).rejects.toThrow(InvalidStateError);
  });

  test('when a deadline is extended, then dueAt moves, the original stays, and a later submission before the new deadline is on time', async () => {
    const { db } = database();
    const { roundId } = await openQ1Round(db);
    const extended = await setObligationStatus(db, {
      roundId,
      unitId: 'so-tttt',
      status: 'extended',
      dueAt: '2015-03-31T17:00:00Z',
      reason: 'flood in the district',
      actor: 'coordinator@thaibinh.example',
      at: '2015-03-20T02:00:00Z',
    });
    expect(extended).toMatchObject({ status: 'extended', dueAt: '2015-03-31T17:00:00.000Z', originalDueAt: Q1_DEADLINE });
    const same = await setObligationStatus(db, { roundId, unitId: 'so-tttt', status: 'extended', dueAt: '2015-03-31T17:00:00Z' });
    expect(same).toEqual(extended);
    const audits = await listAudit(db, { roundId, unitId: 'so-tttt', action: 'obligation.status' });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actor: 'coordinator@thaibinh.example',
      at: '2015-03-20T02:00:00.000Z',
      details: { reason: 'flood in the district', changes: { status: { from: 'pending', to: 'extended' } } },
    });
    const sub = await recordSubmission(db, { roundId, unitId: 'so-tttt', submittedBy: 'a@thaibinh.example', submittedAt: '2015-03-28T03:00:00Z' });
    expect(sub.obligation).toMatchObject({ status: 'submitted', lateByMs: 0 });
  });

  test('when a status is not one of the allowed values, then it is refused', async () => {
    const { db } = database();
    const { roundId } = await openQ1Round(db);
    await expect(setObligationStatus(db, { roundId, unitId: 'so-tttt', status: 'done' as never })).rejects.toThrow(InvalidInputError);
    await expect(setObligationStatus(db, { roundId, unitId: 'nobody', status: 'missing' })).rejects.toThrow(NotFoundError);
  });

  test('when a round closes twice, then the first result is kept', async () => {
    const { db } = database();
    const { roundId } = await openQ1Round(db);
    const result = { completionRate: 2 / 3, timelinessRate: 1 / 3, counts: { submitted: 1, late: 1, missing: 1 } };
    const closed = await closeRound(db, { roundId, result, closedAt: '2015-04-01T10:00:00Z', actor: 'workflow:round-test' });
    expect(closed).toMatchObject({ status: 'closed', closedAt: '2015-04-01T10:00:00.000Z', result });
    const again = await closeRound(db, { roundId, result: { other: true } });
    expect(again).toEqual(closed);
    expect(await getRound(db, roundId)).toEqual(closed);
    expect((await listAudit(db, { roundId, action: 'round.closed' })).length).toBe(1);
    await expect(closeRound(db, { roundId: 'no-such-round', result: {} })).rejects.toThrow(NotFoundError);
  });
});
