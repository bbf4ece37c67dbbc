import { loadProgramFile, defaultProgramPath } from '../../domain/program/load-file';
import type { Db } from '../../infra/db/client';
import { listAudit } from '../../infra/db/audit-repository';
import { loadProgram } from '../../infra/db/program-repository';
import { listDecisions, listEstimates, recordDecision, recordEstimate, setCycleStatus } from '../../infra/db/budget-repository';
import { InvalidInputError, InvalidStateError } from '../../infra/db/shared';
import { providers, uniqueId, useMigratedDatabase } from './harness';

async function program(db: Db) {
  const p = { ...loadProgramFile(defaultProgramPath), id: uniqueId('p925') };
  await loadProgram(db, p);
  return p.id;
}

/** 1.2 billion VND: more than 2^31, a typical department's yearly external-information estimate. */
const ONE_POINT_TWO_BILLION = '1200000000';
/** Larger than Number.MAX_SAFE_INTEGER: must survive both databases exactly. */
const HUGE = '9007199254740993123';

describe.each(providers)('budget repository on %s', (provider) => {
  const database = useMigratedDatabase(provider);

  test('when a unit sends two estimates, then they are versions 1 and 2 and the first is superseded', async () => {
    const { db } = database();
    const programId = await program(db);
    const base = { programId, year: 2016, unitId: 'so-vhttdl', submittedBy: 'contact.so-vhttdl@thaibinh.example' };
    const v1 = await recordEstimate(db, { ...base, amountVnd: 1_000_000_000, submittedAt: '2015-12-10T02:00:00Z' });
    const v2 = await recordEstimate(db, { ...base, amountVnd: ONE_POINT_TWO_BILLION, submittedAt: '2015-12-14T02:00:00Z' });
    expect(v1.estimate).toMatchObject({ version: 1, amountVnd: '1000000000', status: 'submitted', cycleId: `${programId}-2016` });
    expect(v2.estimate).toMatchObject({ version: 2, amountVnd: ONE_POINT_TWO_BILLION, status: 'submitted' });
    expect((await listEstimates(db, { programId, year: 2016 })).map((e) => [e.version, e.status])).toEqual([
      [1, 'superseded'],
      [2, 'submitted'],
    ]);
  });

  test('when an amount exceeds the safe integer range, then it is stored and returned exactly', async () => {
    const { db } = database();
    const programId = await program(db);
    const { estimate } = await recordEstimate(db, { programId, year: 2016, unitId: 'so-khdt', amountVnd: BigInt(HUGE), submittedBy: 'a@thaibinh.example' });
    expect(estimate.amountVnd).toBe(HUGE);
    const adjusted = await recordDecision(db, { estimateId: estimate.id, decision: 'adjust', amountVnd: HUGE.slice(0, -1), reason: 'cap', decidedBy: 'tham-dinh@stc.example' });
    expect(adjusted.estimate.approvedAmountVnd).toBe(HUGE.slice(0, -1));
  });

  test('when the appraiser approves, adjusts or returns, then the estimate’s status and amount follow', async () => {
    const { db } = database();
    const programId = await program(db);
    const send = (unitId: string, amountVnd: string) =>
      recordEstimate(db, { programId, year: 2016, unitId, amountVnd, submittedBy: `contact.${unitId}@thaibinh.example` }).then((r) => r.estimate);
    const a = await send('so-tttt', '500000000');
    const b = await send('so-khdt', '800000000');
    const c = await send('cong-an-tinh', '300000000');
    const appraiser = 'contact.so-tai-chinh@thaibinh.example';

    const approved = await recordDecision(db, { estimateId: a.id, decision: 'approve', decidedBy: appraiser, decidedAt: '2016-01-10T03:00:00Z' });
    expect(approved.estimate).toMatchObject({ status: 'approved', approvedAmountVnd: '500000000' });
    expect(approved.decision).toMatchObject({ decision: 'approve', amountVnd: '500000000', decidedAt: '2016-01-10T03:00:00.000Z' });

    const adjusted = await recordDecision(db, { estimateId: b.id, decision: 'adjust', amountVnd: 650_000_000, reason: 'printing costs above norm', decidedBy: appraiser });
    expect(adjusted.estimate).toMatchObject({ status: 'adjusted', amountVnd: '800000000', approvedAmountVnd: '650000000' });

    const returned = await recordDecision(db, { estimateId: c.id, decision: 'return', reason: 'missing breakdown', decidedBy: appraiser });
    expect(returned.estimate).toMatchObject({ status: 'returned', approvedAmountVnd: null });

    // A returned estimate is revised by sending the next version.
    const c2 = await send('cong-an-tinh', '280000000');
    expect(c2).toMatchObject({ version: 2, status: 'submitted' });
    expect((await listEstimates(db, { programId, year: 2016, unitId: 'cong-an-tinh' })).map((e) => e.status)).toEqual(['returned', 'submitted']);

    const audit = (await listAudit(db, { action: 'budget.decision' })).filter((e) => (e.details as { cycleId: string }).cycleId === `${programId}-2016`);
    expect(audit.map((e) => [e.unitId, (e.details as { decision: string }).decision])).toEqual([
      ['so-tttt', 'approve'],
      ['so-khdt', 'adjust'],
      ['cong-an-tinh', 'return'],
    ]);
  });

  test('when a decision is retried, then it is recorded once; a different decision on a decided estimate is refused', async () => {
    const { db } = database();
    const programId = await program(db);
    const { estimate } = await recordEstimate(db, { programId, year: 2017, unitId: 'so-tttt', amountVnd: 100, submittedBy: 'a@thaibinh.example' });
    const input = { estimateId: estimate.id, decision: 'approve' as const, decidedBy: 'stc@thaibinh.example' };
    const first = await recordDecision(db, input);
    const retry = await recordDecision(db, input);
    expect(retry.duplicate).toBe(true);
    expect(retry.decision).toEqual(first.decision);
    expect(await listDecisions(db, estimate.id)).toHaveLength(1);
    await expect(recordDecision(db, { ...input, decision: 'return', reason: 'changed my mind' })).rejects.toThrow(InvalidStateError);
  });

  test('when a decision is malformed, then it is refused before anything is written', async () => {
    const { db } = database();
    const programId = await program(db);
    const { estimate } = await recordEstimate(db, { programId, year: 2017, unitId: 'so-khdt', amountVnd: '100', submittedBy: 'a@thaibinh.example' });
    const by = { estimateId: estimate.id, decidedBy: 'stc@thaibinh.example' };
    await expect(recordDecision(db, { ...by, decision: 'adjust', reason: 'x' })).rejects.toThrow(/amountVnd is required/);
    await expect(recordDecision(db, { ...by, decision: 'return' })).rejects.toThrow(/reason is required/);
    await expect(recordDecision(db, { ...by, decision: 'approve', amountVnd: 99 })).rejects.toThrow(/use "adjust"/);
    await expect(recordEstimate(db, { programId, year: 2017, unitId: 'so-khdt', amountVnd: '1.000.000', submittedBy: 'a' })).rejects.toThrow(InvalidInputError);
    await expect(recordEstimate(db, { programId, year: 2017, unitId: 'so-khdt', amountVnd: -5, submittedBy: 'a' })).rejects.toThrow(InvalidInputError);
    expect(await listDecisions(db, estimate.id)).toEqual([]);
  });

  test('when an estimate is retried with its idempotency key, or sent to a closed year, then nothing new is written', async () => {
    const { db } = database();
    const programId = await program(db);
    const input = { programId, year: 2018, unitId: 'so-tttt', amountVnd: 42, submittedBy: 'a@thaibinh.example', idempotencyKey: `est-${programId}` };
    const first = await recordEstimate(db, input);
    const retry = await recordEstimate(db, input);
    expect(retry).toEqual({ estimate: first.estimate, duplicate: true });
    await setCycleStatus(db, { programId, year: 2018, status: 'closed' });
    await expect(recordEstimate(db, { ...input, idempotencyKey: null })).rejects.toThrow(InvalidStateError);
    expect(await listEstimates(db, { programId, year: 2018 })).toHaveLength(1);
  });
});
