import {
  CompilationInputError,
  compileReview,
  compileYear,
  documentNumber,
  editDraft,
  issueDraft,
  newDraft,
  ReportAlreadyIssuedError,
  shortDateVi,
  type RoundDataInput,
} from '../../domain/compilation';
import { Q1_DUE, Q2_DUE, smallProgram } from './fixtures';

const program = smallProgram();
const AT = { compiledAt: '2016-12-30T02:00:00.000Z' };
const Q1_2016_DUE = '2016-03-24T17:00:00.000Z';

function quarter(key: string, year: number, q: number, due: string, units: Record<string, { at: string | null; events?: number; share?: number; text?: string }>): RoundDataInput {
  return {
    roundId: `demo:${key}`,
    key,
    kind: 'quarterly-report',
    year,
    quarter: q,
    title: { vi: `Quý ${q}/${year}`, en: `Q${q} ${year}` },
    deadline: due,
    obligations: Object.entries(units).map(([unitId, u]) => ({
      unitId,
      dueAt: due,
      submittedAt: u.at,
      status: u.at === null ? 'missing' : Date.parse(u.at) >= Date.parse(due) ? 'late' : 'on-time',
    })),
    formData: Object.fromEntries(
      Object.entries(units)
        .filter(([, u]) => u.at !== null && u.events !== undefined)
        .map(([unitId, u]) => [
          unitId,
          {
            indicators: { events: u.events!, staff: 1, spent: '10', grant: '10', delegations: 0, ...(u.share !== undefined ? { share: u.share } : {}) },
            sections: (u.text ? { s2: { text: u.text, tasks: {} } } : {}) as Record<string, { text: string; tasks: Record<string, string> }>,
          },
        ]),
    ),
  };
}

const early = (due: string) => new Date(Date.parse(due) - 86_400_000).toISOString();
const late = (due: string) => new Date(Date.parse(due) + 3_600_000).toISOString();

const q1 = quarter('2015-Q1', 2015, 1, Q1_DUE, { d1: { at: early(Q1_DUE), events: 3, share: 10, text: 'q1 d1' }, h1: { at: late(Q1_DUE), events: 1 }, h2: { at: null } });
const q2 = quarter('2015-Q2', 2015, 2, Q2_DUE, { d1: { at: null }, h1: { at: early(Q2_DUE), events: 2 }, h2: { at: early(Q2_DUE), events: 4, text: 'q2 h2' } });
const q1y2 = quarter('2016-Q1', 2016, 1, Q1_2016_DUE, { d1: { at: early(Q1_2016_DUE), events: 5, share: 20.5 }, h1: { at: null }, h2: { at: early(Q1_2016_DUE), events: 0 } });

describe('compileYear', () => {
  const model = compileYear(program, 2015, [q2, q1], AT);

  test('the matrix has the year’s rounds in deadline order and one row per unit asked', () => {
    expect(model.title.vi).toBe('Kết quả thực hiện năm 2015');
    expect(model.compliance.rounds.map((r) => r.key)).toEqual(['2015-Q1', '2015-Q2']);
    expect(model.compliance.units.map((u) => [u.unitId, u.cells.map((c) => c?.status ?? null)])).toEqual([
      ['d1', ['on-time', 'missing']],
      ['h1', ['late', 'on-time']],
      ['h2', ['missing', 'on-time']],
    ]);
    expect(model.compliance.totals).toMatchObject({ asked: 6, onTime: 3, late: 1, missing: 2, timelinessPercent: '50.0', completionPercent: '66.7' });
    expect(model.missing.map((m) => [m.unitId, m.rounds])).toEqual([
      ['d1', ['2015-Q2']],
      ['h2', ['2015-Q1']],
    ]);
  });

  test('a sum adds every unit-quarter; an average is over every unit-quarter that gave a value', () => {
    const events = model.tables[0]!.indicators.find((i) => i.id === 'events')!;
    expect(events.province).toEqual({ asked: 6, reported: 4, value: '10' }); // 3 + 1 + 2 + 4
    expect(events.byCategory.map((c) => [c.category, c.aggregate.value])).toEqual([
      ['department', '3'],
      ['district', '7'],
    ]);
    expect(events.observations.map((o) => [o.unitId, o.roundId, o.value])).toEqual([
      ['d1', 'demo:2015-Q1', 3],
      ['h1', 'demo:2015-Q1', 1],
      ['h1', 'demo:2015-Q2', 2],
      ['h2', 'demo:2015-Q2', 4],
    ]);
  });

  test('texts are kept with their round', () => {
    expect(model.sections.find((s) => s.id === 's2')?.general).toEqual([
      { unitId: 'd1', roundId: 'demo:2015-Q1', text: 'q1 d1' },
      { unitId: 'h2', roundId: 'demo:2015-Q2', text: 'q2 h2' },
    ]);
  });

  test('a round of another year is refused', () => {
    expect(() => compileYear(program, 2015, [q1, q1y2], AT)).toThrow(CompilationInputError);
    expect(() => compileYear(program, 2015, [q1, q1y2], AT)).toThrow("rounds 2016-Q1 are not of 2015; pass only the year's rounds");
  });
});

describe('compileReview (sơ kết) over 2015–2016', () => {
  const model = compileReview(program, 'preliminary', 2015, 2016, [q1, q2, q1y2], AT);

  test('timeliness per unit across the years', () => {
    const byYear = Object.fromEntries(model.compliance.units.map((u) => [u.unitId, u.byYear.map((y) => [y.year, y.counts.onTime, y.counts.late, y.counts.missing, y.counts.timelinessPercent])]));
    expect(byYear).toEqual({
      d1: [
        [2015, 1, 0, 1, '50.0'],
        [2016, 1, 0, 0, '100.0'],
      ],
      h1: [
        [2015, 1, 1, 0, '50.0'],
        [2016, 0, 0, 1, '0.0'],
      ],
      h2: [
        [2015, 1, 0, 1, '50.0'],
        [2016, 1, 0, 0, '100.0'],
      ],
    });
  });

  test('figures over the whole period; texts left out by default', () => {
    const share = model.tables[0]!.indicators.find((i) => i.id === 'share')!;
    expect(share.province).toEqual({ asked: 3, reported: 2, value: '15.25', exact: { numerator: '61', denominator: '4' } }); // (10 + 20.5) / 2
    expect(model.sections).toEqual([]);
    expect(model.title.vi).toBe('Sơ kết 2 năm thực hiện Chương trình thử nghiệm (giai đoạn 2015 – 2016)');
    expect(model.scope).toEqual({ kind: 'review', review: 'preliminary', fromYear: 2015, toYear: 2016 });
  });
});

describe('the compiled report’s life: draft → issued', () => {
  const model = compileYear(program, 2015, [q1, q2], AT);

  test('a draft opens with the legal basis and what is reported', () => {
    expect(newDraft(model)).toEqual({
      status: 'draft',
      introduction:
        'Thực hiện Quyết định số 1/QĐ-UBND ngày 06/01/2014 của Ủy ban nhân dân tỉnh Demo phê duyệt Chương trình thử nghiệm; ' +
        'trên cơ sở báo cáo của các cơ quan, đơn vị, Đơn vị d1 báo cáo kết quả thực hiện năm 2015 như sau:',
      conclusions: '',
    });
  });

  test('edits are NFC and kept; issuing fixes the number and date; an issued report refuses edits and a second issue', () => {
    const edited = editDraft(newDraft(model), { conclusions: ' Đe\u0302\u0300 nghi\u0323 ' });
    expect(edited).toMatchObject({ status: 'draft', conclusions: 'Đề nghị' });
    const signer = { title: ['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC'], name: ' Nguyễn Văn An ' };
    const issued = issueDraft(edited, { number: 7, issuedAt: '2016-01-05T03:00:00.000Z', issuedBy: 'giamdoc@so-tttt.example', signer });
    expect(issued).toEqual({
      ...edited,
      status: 'issued',
      number: 7,
      issuedAt: '2016-01-05T03:00:00.000Z',
      issuedBy: 'giamdoc@so-tttt.example',
      signer: { title: ['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC'], name: 'Nguyễn Văn An' },
    });
    expect(() => editDraft(issued, { introduction: 'x' })).toThrow(ReportAlreadyIssuedError);
    expect(() => issueDraft(issued, { number: 8, issuedAt: '2016-01-06T03:00:00.000Z', issuedBy: 'x', signer })).toThrow(ReportAlreadyIssuedError);
    expect(() => editDraft(edited, {})).toThrow('nothing to change');
    expect(() => issueDraft(edited, { number: 0, issuedAt: '2016-01-05T03:00:00.000Z', issuedBy: 'x', signer })).toThrow();
    expect(() => issueDraft(edited, { number: 8, issuedAt: '2016-01-05T03:00:00.000Z', issuedBy: 'x', signer: { title: ['GIÁM ĐỐC'], name: ' ' } })).toThrow('give the signer’s full name');
  });

  test('number and date as Decree 30/2020 writes them', () => {
    expect(documentNumber(7, 'STTTT')).toBe('07/BC-STTTT');
    expect(documentNumber(125, 'STTTT')).toBe('125/BC-STTTT');
    expect(documentNumber(null, 'STTTT')).toBe('/BC-STTTT');
    expect(shortDateVi('2014-05-06')).toBe('06/5/2014');
    expect(shortDateVi('2015-02-03')).toBe('03/02/2015');
  });
});
