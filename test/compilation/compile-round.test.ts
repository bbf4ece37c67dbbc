import {
  CompilationInputError,
  compileRound,
  compiledReportModelSchema,
  fraction,
  lateDaysOf,
  roundHalfUp,
  type RoundDataInput,
} from '../../domain/compilation';
import { Q1_DUE, smallProgram } from './fixtures';

const program = smallProgram();
const COMPILED_AT = '2015-03-30T02:00:00.000Z';

/**
 * Q1 2015 of the small program, chosen so every figure can be checked by hand:
 * d1 on time, d2 late (09:00 on the 25th: 1 day), h1 on time, h2 missing, p1 on time with a file only.
 */
const q1: RoundDataInput = {
  roundId: 'demo:2015-Q1',
  key: '2015-Q1',
  kind: 'quarterly-report',
  year: 2015,
  quarter: 1,
  title: { vi: 'Báo cáo quý I/2015', en: 'Q1 2015 report' },
  deadline: Q1_DUE,
  obligations: [
    { unitId: 'd1', dueAt: Q1_DUE, submittedAt: '2015-03-20T03:00:00.000Z', status: 'on-time' },
    { unitId: 'd2', dueAt: Q1_DUE, submittedAt: '2015-03-25T02:00:00.000Z', status: 'late' },
    { unitId: 'h1', dueAt: Q1_DUE, submittedAt: '2015-03-24T16:59:59.000Z', status: 'on-time' },
    { unitId: 'h2', dueAt: Q1_DUE, submittedAt: null, status: 'missing' },
    { unitId: 'p1', dueAt: Q1_DUE, submittedAt: '2015-03-23T01:00:00.000Z', status: 'on-time' },
  ],
  formData: {
    d1: {
      indicators: { events: 3, staff: 2, spent: '900000000000000000', grant: '1000001', delegations: 2, highlight: 'Hội chợ', noted: 'có' },
      sections: { s1: { tasks: { '1': 'A1' } } },
    },
    d2: {
      indicators: { events: 4, staff: 3, spent: '200000000000000001', grant: '1000000', share: 33.33, delegations: 0 },
      sections: { s1: { tasks: { '1': 'B1', '2': 'B2' } }, s2: { text: 'Đề nghị', tasks: {} } },
    },
    h1: {
      indicators: { events: 0, staff: 1, spent: '0', grant: '1', delegations: 1, highlight: 'Lễ hội' },
      sections: { s1: { text: 'H', tasks: {} } },
    },
  },
};

function indicator(model: ReturnType<typeof compileRound>, id: string) {
  const found = model.tables.flatMap((t) => t.indicators).find((i) => i.id === id);
  if (!found) throw new Error(`no indicator ${id}`);
  return { province: found.province, byCategory: Object.fromEntries(found.byCategory.map((c) => [c.category, c.aggregate])), observations: found.observations };
}

describe('compileRound: one quarter of the small program', () => {
  const model = compileRound(program, q1, { compiledAt: COMPILED_AT });

  test('the model is what its schema says (it is stored and read back as JSON)', () => {
    expect(compiledReportModelSchema.parse(JSON.parse(JSON.stringify(model)))).toEqual(model);
    expect(model.title).toEqual({ vi: 'Kết quả thực hiện quý I năm 2015', en: 'Results, Q1 2015' });
    expect(model.period.vi).toBe('quý I năm 2015');
  });

  test('compliance: 3 on time, 1 late, 1 missing of 5; rates over all that were asked', () => {
    expect(model.compliance.totals).toEqual({ asked: 5, onTime: 3, late: 1, missing: 1, completionPercent: '80.0', timelinessPercent: '60.0' });
    expect(model.compliance.byCategory.map((c) => [c.category, c.counts.onTime, c.counts.late, c.counts.missing, c.counts.timelinessPercent])).toEqual([
      ['department', 1, 1, 0, '50.0'],
      ['district', 1, 0, 1, '50.0'],
      ['press', 1, 0, 0, '100.0'],
    ]);
    expect(model.compliance.units.map((u) => [u.unitId, u.cells[0]?.status, u.cells[0]?.lateDays])).toEqual([
      ['d1', 'on-time', 0],
      ['d2', 'late', 1],
      ['h1', 'on-time', 0],
      ['h2', 'missing', 0],
      ['p1', 'on-time', 0],
    ]);
    expect(model.missing).toEqual([{ unitId: 'h2', name: { vi: 'Đơn vị h2', en: 'Unit h2' }, category: 'district', rounds: ['2015-Q1'] }]);
    expect(model.withoutFormData).toEqual([{ unitId: 'p1', roundId: 'demo:2015-Q1' }]);
  });

  test('sum of counts, by category; a category with nobody reporting has no figure (not 0)', () => {
    const e = indicator(model, 'events');
    expect(e.province).toEqual({ asked: 5, reported: 3, value: '7' });
    expect(e.byCategory).toEqual({
      department: { asked: 2, reported: 2, value: '7' },
      district: { asked: 2, reported: 1, value: '0' },
      press: { asked: 1, reported: 0, value: null },
    });
  });

  test('sum of VND stays exact beyond 2^53: 900000000000000000 + 200000000000000001 + 0', () => {
    expect(indicator(model, 'spent').province.value).toBe('1100000000000000001');
  });

  test('averages are exact fractions, displayed half up: counts to 2 decimals, VND to the đồng', () => {
    const staff = indicator(model, 'staff');
    expect(staff.province).toEqual({ asked: 5, reported: 3, value: '2.00', exact: { numerator: '2', denominator: '1' } }); // (2+3+1)/3
    expect(staff.byCategory.department).toEqual({ asked: 2, reported: 2, value: '2.50', exact: { numerator: '5', denominator: '2' } });
    const grant = indicator(model, 'grant');
    expect(grant.province).toEqual({ asked: 5, reported: 3, value: '666667', exact: { numerator: '2000002', denominator: '3' } }); // 666667.33…
    expect(grant.byCategory.department).toEqual({ asked: 2, reported: 2, value: '1000001', exact: { numerator: '2000001', denominator: '2' } }); // 1000000.5 → up
  });

  test('a percentage average counts only the units asked that gave a value', () => {
    const share = indicator(model, 'share');
    expect(share.province).toEqual({ asked: 3, reported: 1, value: '33.33', exact: { numerator: '3333', denominator: '100' } });
    expect(share.byCategory).toEqual({
      department: { asked: 2, reported: 1, value: '33.33', exact: { numerator: '3333', denominator: '100' } },
      press: { asked: 1, reported: 0, value: null },
    });
  });

  test('count counts the units that reported something above 0 or non-empty; list keeps every value', () => {
    expect(indicator(model, 'delegations').province).toEqual({ asked: 5, reported: 3, value: '2' });
    expect(indicator(model, 'noted').province).toEqual({ asked: 5, reported: 1, value: '1' });
    const highlight = indicator(model, 'highlight');
    expect(highlight.province.value).toBeNull();
    expect(highlight.observations).toEqual([
      { unitId: 'd1', roundId: 'demo:2015-Q1', value: 'Hội chợ' },
      { unitId: 'h1', roundId: 'demo:2015-Q1', value: 'Lễ hội' },
    ]);
  });

  test('each unit’s text sits under its section and focal task, in program order', () => {
    const [s1, s2] = model.sections;
    expect(s1).toEqual({
      id: 's1',
      title: { vi: 'Theo nhiệm vụ', en: 'By task' },
      general: [{ unitId: 'h1', roundId: 'demo:2015-Q1', text: 'H' }],
      tasks: [
        { number: 1, title: { vi: 'Nhiệm vụ một', en: 'Task one' }, entries: [{ unitId: 'd1', roundId: 'demo:2015-Q1', text: 'A1' }, { unitId: 'd2', roundId: 'demo:2015-Q1', text: 'B1' }] },
        { number: 2, title: { vi: 'Nhiệm vụ hai', en: 'Task two' }, entries: [{ unitId: 'd2', roundId: 'demo:2015-Q1', text: 'B2' }] },
      ],
      tasksWithoutEntries: [],
    });
    expect(s2?.general).toEqual([{ unitId: 'd2', roundId: 'demo:2015-Q1', text: 'Đề nghị' }]);
  });

  test('the issuing block comes from the program, with defaults where the file is silent', () => {
    expect(model.issuing).toEqual({
      parent: 'UBND TỈNH DEMO',
      name: 'ĐƠN VỊ D1', // the coordinator's name in capitals
      symbol: 'SD',
      place: 'Demo',
      signer: { title: ['GIÁM ĐỐC'], name: null },
      recipients: [{ id: 'd2', name: 'Đơn vị d2', purpose: 'report' }],
      archive: 'VT, D1',
    });
  });

  test('values that no longer fit the form are left out with a warning, never silently', () => {
    const changed = structuredClone(q1);
    changed.formData!.h1!.indicators!.events = 'nhiều';
    changed.formData!.h1!.indicators!.retired = 5;
    const m = compileRound(program, changed, { compiledAt: COMPILED_AT });
    expect(indicator(m, 'events').province).toEqual({ asked: 5, reported: 2, value: '7' });
    expect(m.warnings).toEqual([
      '2015-Q1: h1: indicator "retired" is no longer on the form; its value is left out',
      '2015-Q1: h1 events: "nhiều" is not a number; write a whole number such as 3 (0 if none); the value is left out',
    ]);
  });
});

describe('lateness in calendar days, Asia/Ho_Chi_Minh', () => {
  test.each([
    ['2015-03-24T17:00:00.000Z', 1], // 00:00 on the 25th: the deadline instant itself is late
    ['2015-03-25T16:59:59.000Z', 1], // 23:59:59 on the 25th
    ['2015-03-25T17:00:00.000Z', 2], // 00:00 on the 26th
    ['2015-04-01T02:00:00.000Z', 8],
  ])('submitted %s → %i day(s) late', (submittedAt, days) => {
    expect(lateDaysOf({ dueAt: Q1_DUE, submittedAt, status: 'late' }, 'Asia/Ho_Chi_Minh')).toBe(days);
  });
});

describe('exact arithmetic', () => {
  test('half up at the boundary, and fractions in lowest terms', () => {
    expect(roundHalfUp(27n, 8n, 2)).toBe('3.38'); // 3.375
    expect(roundHalfUp(3374n, 1000n, 2)).toBe('3.37');
    expect(roundHalfUp(1n, 3n, 0)).toBe('0');
    expect(roundHalfUp(1n, 2n, 0)).toBe('1');
    expect(roundHalfUp(5n, 1n, 1)).toBe('5.0');
    expect(fraction(2000002n, 6n)).toEqual({ numerator: '1000001', denominator: '3' });
  });
});

describe('compilation input is checked before anything is computed', () => {
  test('a status that contradicts the times, a missing unit with a time, a unit twice', () => {
    const bad = structuredClone(q1);
    bad.obligations[0]!.status = 'late'; // sent on the 20th
    bad.obligations[3]!.submittedAt = '2015-03-26T00:00:00.000Z'; // "missing"
    bad.obligations.push({ ...bad.obligations[1]! });
    let error: unknown;
    try {
      compileRound(program, bad, { compiledAt: COMPILED_AT });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CompilationInputError);
    expect((error as CompilationInputError).problems).toEqual([
      'rounds[0].obligations[0].status: d1 submitted at 2015-03-20T03:00:00.000Z, before its deadline 2015-03-24T17:00:00.000Z, so it is on-time, not late',
      'rounds[0].obligations[3].submittedAt: h2 is "missing" but has a submission time; use on-time or late',
      'rounds[0] (2015-Q1): unit "d2" has two obligations; a unit owes one report per round',
    ]);
  });
});
