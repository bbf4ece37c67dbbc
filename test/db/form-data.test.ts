import { simulateFormData } from '../../client/simulate/form-filling';
import { loadProgramFile, defaultProgramPath } from '../../domain/program/load-file';
import type { Db } from '../../infra/db/client';
import { discardFormDraft, getFormDraft, getSubmissionFormData, listRoundFormData, saveFormDraft } from '../../infra/db/form-data';
import { listAudit } from '../../infra/db/audit-repository';
import { loadProgram } from '../../infra/db/program-repository';
import { recordSubmission, upsertObligations, upsertRound } from '../../infra/db/round-repository';
import { NotFoundError } from '../../infra/db/shared';
import { providers, uniqueId, useMigratedDatabase } from './harness';

/** Q1 2015: due before 25 March, i.e. 00:00 on the 25th in Asia/Ho_Chi_Minh. */
const Q1_DUE = '2015-03-24T17:00:00.000Z';

async function openRound(db: Db) {
  const program = { ...loadProgramFile(defaultProgramPath), id: uniqueId('p925') };
  await loadProgram(db, program);
  const roundId = `${program.id}:2015-Q1`;
  await upsertRound(db, { id: roundId, programId: program.id, year: 2015, kind: 'quarterly-report', title: { vi: 'Quý I/2015', en: 'Q1 2015' }, deadline: Q1_DUE });
  await upsertObligations(db, { roundId, obligations: ['so-khdt', 'ubnd-vu-thu', 'bao-thai-binh'].map((unitId) => ({ unitId, dueAt: Q1_DUE })) });
  const form = program.forms!['quarterly-report']!;
  const fill = (unitId: string, seed: number) => simulateFormData(program, form, program.units.find((u) => u.id === unitId)!, seed, '2015-Q1');
  return { program, roundId, fill };
}

describe.each(providers)('form data on %s', (provider) => {
  const database = useMigratedDatabase(provider);

  test('when versions carry forms, then a round reads each unit’s latest form; a later file-only version keeps the figures', async () => {
    const { db } = database();
    const { roundId, fill } = await openRound(db);
    const v1 = fill('so-khdt', 1);
    const v2 = fill('so-khdt', 2);
    await recordSubmission(db, { roundId, unitId: 'so-khdt', submittedBy: 'a@x.example', submittedAt: '2015-03-20T02:00:00Z', formData: v1 });
    await recordSubmission(db, { roundId, unitId: 'so-khdt', submittedBy: 'a@x.example', submittedAt: '2015-03-21T02:00:00Z', formData: v2 });
    await recordSubmission(db, { roundId, unitId: 'so-khdt', submittedBy: 'a@x.example', submittedAt: '2015-03-22T02:00:00Z', fileRef: 'scan.pdf' });
    await recordSubmission(db, { roundId, unitId: 'ubnd-vu-thu', submittedBy: 'b@x.example', submittedAt: '2015-03-26T02:00:00Z', formData: fill('ubnd-vu-thu', 1) });
    await recordSubmission(db, { roundId, unitId: 'bao-thai-binh', submittedBy: 'c@x.example', submittedAt: '2015-03-23T02:00:00Z', fileRef: 'bao-cao.pdf' });

    const rows = await listRoundFormData(db, roundId);
    expect(rows.map((r) => [r.unitId, r.version, r.latestVersion, r.submittedAt])).toEqual([
      ['so-khdt', 2, 3, '2015-03-21T02:00:00.000Z'],
      ['ubnd-vu-thu', 1, 1, '2015-03-26T02:00:00.000Z'],
    ]);
    expect(rows[0]!.formData).toEqual(v2);
    // Both versions stay in history.
    expect(await getSubmissionFormData(db, roundId, 'so-khdt', 1)).toEqual(v1);
    expect(await getSubmissionFormData(db, roundId, 'so-khdt')).toBeNull(); // version 3 is a file only
    expect(await getSubmissionFormData(db, roundId, 'bao-thai-binh')).toBeNull();
    const audit = await listAudit(db, { roundId, unitId: 'so-khdt', action: 'submission.recorded' });
    expect(audit.map((a) => (a.details as { withFormData?: boolean }).withFormData ?? false)).toEqual([true, true, false]);
  });

  test('when a draft is saved twice, then the second replaces the first; discarding removes it; a unit outside the round has none', async () => {
    const { db } = database();
    const { roundId } = await openRound(db);
    expect(await getFormDraft(db, roundId, 'ubnd-vu-thu')).toBeNull();
    await saveFormDraft(db, { roundId, unitId: 'ubnd-vu-thu', formData: { indicators: { 'su-kien': 1 }, sections: {} }, savedBy: 'b@x.example', savedAt: '2015-03-10T02:00:00Z' });
    const second = await saveFormDraft(db, {
      roundId,
      unitId: 'ubnd-vu-thu',
      formData: { indicators: { 'su-kien': 2, 'kinh-phi-da-chi': '5000000' }, sections: { 'kien-nghi': { text: 'Tăng kinh phí', tasks: {} } } },
      savedBy: 'b2@x.example',
      savedAt: '2015-03-11T02:00:00Z',
    });
    expect(await getFormDraft(db, roundId, 'ubnd-vu-thu')).toEqual(second);
    expect(second).toMatchObject({ savedBy: 'b2@x.example', savedAt: '2015-03-11T02:00:00.000Z', formData: { indicators: { 'su-kien': 2, 'kinh-phi-da-chi': '5000000' } } });
    expect(await discardFormDraft(db, roundId, 'ubnd-vu-thu')).toBe(true);
    expect(await discardFormDraft(db, roundId, 'ubnd-vu-thu')).toBe(false);
    expect(await getFormDraft(db, roundId, 'ubnd-vu-thu')).toBeNull();
    await expect(saveFormDraft(db, { roundId, unitId: 'so-tttt', formData: { indicators: {}, sections: {} }, savedBy: 'x@x.example' })).rejects.toThrow(NotFoundError);
  });
});
