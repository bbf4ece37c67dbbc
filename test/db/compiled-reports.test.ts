import { compileRound, compileYear, type RoundDataInput } from '../../domain/compilation';
import type { Db } from '../../infra/db/client';
import { listAudit } from '../../infra/db/audit-repository';
import {
  attachReportDocuments,
  editCompiledDraft,
  getCompiledReport,
  issueCompiledReport,
  listCompiledReports,
  saveCompiledDraft,
} from '../../infra/db/compiled-reports';
import { loadProgram } from '../../infra/db/program-repository';
import { upsertRound } from '../../infra/db/round-repository';
import { InvalidStateError, NotFoundError } from '../../infra/db/shared';
import { Q1_DUE, smallProgram } from '../compilation/fixtures';
import { providers, uniqueId, useMigratedDatabase } from './harness';

const SIGNER = { title: ['GIÁM ĐỐC'], name: 'Trần Thị Bình' };
const SHA = (c: string) => c.repeat(64);

async function setUp(db: Db) {
  const program = { ...smallProgram(), id: uniqueId('demo') };
  await loadProgram(db, program);
  const roundId = `${program.id}:2015-Q1`;
  await upsertRound(db, { id: roundId, programId: program.id, year: 2015, kind: 'quarterly-report', title: { vi: 'Quý I/2015', en: 'Q1 2015' }, deadline: Q1_DUE });
  const round = (events: number, h2: 'missing' | 'late'): RoundDataInput => ({
    roundId,
    key: '2015-Q1',
    kind: 'quarterly-report',
    year: 2015,
    quarter: 1,
    title: { vi: 'Quý I/2015', en: 'Q1 2015' },
    deadline: Q1_DUE,
    obligations: [
      { unitId: 'd1', dueAt: Q1_DUE, submittedAt: '2015-03-20T02:00:00.000Z', status: 'on-time' },
      { unitId: 'h2', dueAt: Q1_DUE, submittedAt: h2 === 'late' ? '2015-03-27T02:00:00.000Z' : null, status: h2 },
    ],
    formData: { d1: { indicators: { events, staff: 1, spent: '5', grant: '5', delegations: 0 }, sections: {} } },
  });
  const model = (events: number, h2: 'missing' | 'late', compiledAt: string) => compileRound(program, round(events, h2), { compiledAt });
  return { program, roundId, model };
}

describe.each(providers)('compiled reports on %s', (provider) => {
  const database = useMigratedDatabase(provider);

  test('when a round is compiled again, then the same figures write nothing; new figures make a new revision and keep the coordinator’s texts', async () => {
    const { db } = database();
    const { program, roundId, model } = await setUp(db);
    const first = await saveCompiledDraft(db, { model: model(3, 'missing', '2015-03-30T02:00:00.000Z'), actor: 'system:test' });
    expect(first.outcome).toBe('created');
    expect(first.report).toMatchObject({ id: `${program.id}:2015-Q1`, scope: 'round', roundId, fromYear: 2015, toYear: 2015, revision: 1, state: { status: 'draft', conclusions: '' } });
    expect(first.report.state.introduction).toMatch(/^Thực hiện Quyết định số 1\/QĐ-UBND ngày 06\/01\/2014/);
    await attachReportDocuments(db, { id: first.report.id, revision: 1, docx: { ref: 'r/1.docx', sha256: SHA('a') }, xlsx: { ref: 'r/1.xlsx', sha256: SHA('b') } });
    await editCompiledDraft(db, { id: first.report.id, edits: { conclusions: 'Nhận xét của Sở.' }, actor: 'coordinator@demo.example' });

    const same = await saveCompiledDraft(db, { model: model(3, 'missing', '2015-03-31T02:00:00.000Z') });
    expect(same.outcome).toBe('unchanged');
    expect(same.report.revision).toBe(1);
    expect(same.report.documents.docx).toEqual({ ref: 'r/1.docx', sha256: SHA('a') });

    const late = await saveCompiledDraft(db, { model: model(4, 'late', '2015-04-01T02:00:00.000Z') });
    expect(late.outcome).toBe('recompiled');
    expect(late.report).toMatchObject({ revision: 2, compiledAt: '2015-04-01T02:00:00.000Z', state: { status: 'draft', conclusions: 'Nhận xét của Sở.' } });
    expect(late.report.documents).toEqual({ docx: null, xlsx: null }); // rendered from revision 1's figures
    expect(late.report.model.compliance.totals).toMatchObject({ onTime: 1, late: 1, missing: 0 });
    await expect(attachReportDocuments(db, { id: first.report.id, revision: 1, docx: { ref: 'r/1.docx', sha256: SHA('a') } })).rejects.toThrow(
      /is at revision 2, the documents are of revision 1; render them again/,
    );
    expect((await listAudit(db, { roundId })).filter((a) => a.action.startsWith('compiled-report.')).map((a) => a.action)).toEqual([
      'compiled-report.created',
      'compiled-report.documents',
      'compiled-report.edited',
      'compiled-report.recompiled',
    ]);
  });

  test('when a report is issued, then its number is unique in its year; it keeps its figures and texts', async () => {
    const { db } = database();
    const { program, model } = await setUp(db);
    const { report } = await saveCompiledDraft(db, { model: model(3, 'missing', '2015-03-30T02:00:00.000Z') });
    const yearModel = compileYear(program, 2015, [], { compiledAt: '2015-12-30T02:00:00.000Z' });
    const { report: year } = await saveCompiledDraft(db, { model: yearModel });
    expect(year.id).toBe(`${program.id}:year-2015`);

    const issued = await issueCompiledReport(db, { id: report.id, request: { number: 12, issuedAt: '2015-04-02T03:00:00.000Z', issuedBy: 'gd@demo.example', signer: SIGNER } });
    expect(issued.state).toEqual({
      status: 'issued',
      introduction: report.state.introduction,
      conclusions: '',
      number: 12,
      issuedAt: '2015-04-02T03:00:00.000Z',
      issuedBy: 'gd@demo.example',
      signer: SIGNER,
    });
    // 12 is taken in 2015 (Asia/Ho_Chi_Minh): 00:30 on 1 January 2016 local is 2015-12-31T17:30Z, already 2016.
    await expect(
      issueCompiledReport(db, { id: year.id, request: { number: 12, issuedAt: '2015-12-31T16:30:00.000Z', issuedBy: 'gd@demo.example', signer: SIGNER } }),
    ).rejects.toThrow(`number 12 of 2015 was already given to ${report.id}`);
    const yearIssued = await issueCompiledReport(db, { id: year.id, request: { number: 12, issuedAt: '2015-12-31T17:30:00.000Z', issuedBy: 'gd@demo.example', signer: SIGNER } });
    expect(yearIssued.state.status).toBe('issued');

    // A late report after issuing: the issued figures stay, nothing is written, nothing fails.
    const after = await saveCompiledDraft(db, { model: model(9, 'late', '2015-04-05T02:00:00.000Z') });
    expect(after.outcome).toBe('issued');
    expect(after.report.model).toEqual(report.model);
    expect(after.report.revision).toBe(1);
    await expect(editCompiledDraft(db, { id: report.id, edits: { conclusions: 'x' }, actor: 'c@demo.example' })).rejects.toThrow(InvalidStateError);
    await expect(issueCompiledReport(db, { id: report.id, request: { number: 13, issuedAt: '2015-04-03T03:00:00.000Z', issuedBy: 'x', signer: SIGNER } })).rejects.toThrow(
      InvalidStateError,
    );
    await expect(issueCompiledReport(db, { id: 'no-such', request: { number: 1, issuedAt: '2015-04-03T03:00:00.000Z', issuedBy: 'x', signer: SIGNER } })).rejects.toThrow(
      NotFoundError,
    );

    expect((await listCompiledReports(db, { programId: program.id })).map((r) => [r.id, r.scope, r.state.status])).toEqual([
      [report.id, 'round', 'issued'],
      [year.id, 'year', 'issued'],
    ]);
    expect((await listCompiledReports(db, { programId: program.id, scope: 'year', year: 2015 })).map((r) => r.id)).toEqual([year.id]);
    expect(await listCompiledReports(db, { programId: program.id, year: 2016 })).toEqual([]);
    expect((await getCompiledReport(db, report.id))?.model).toEqual(report.model);
  });
});
