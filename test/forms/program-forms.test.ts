import { parseProgram } from '../../domain/program';
import { defaultProgramPath, loadProgramFile } from '../../domain/program/load-file';
import { allIndicators, indicatorsFor, sectionsFor, unitOfMeasureOf } from '../../domain/forms';

const program = loadProgramFile(defaultProgramPath);
const form = program.forms?.['quarterly-report'];
const unit = (id: string) => program.units.find((u) => u.id === id)!;

/** A deep copy of the default program as written in a file, for breaking one thing at a time. */
function fileCopy(): Record<string, unknown> & { forms: Record<string, { sections: unknown[]; tables: Array<{ indicators: Array<Record<string, unknown>> }> }> } {
  return JSON.parse(JSON.stringify(program));
}

function problemsOf(input: unknown): string[] {
  const r = parseProgram(input);
  if (r.ok) throw new Error('expected the program to be refused');
  return r.problems;
}

describe('the default program’s quarterly report form', () => {
  test('has one section tied to all 17 focal tasks, and says it is the project’s assumption', () => {
    expect(form).toBeDefined();
    const byTask = form!.sections.find((s) => s.id === 'ket-qua-nhiem-vu')!;
    expect(byTask.tasks).toEqual(program.tasks.map((t) => t.number));
    expect(byTask.tasks).toHaveLength(17);
    expect(byTask.required).toBe(true);
    expect(form!.basis?.vi).toMatch(/giả định của dự án/);
    expect(form!.basis?.en).toMatch(/project's assumption/);
  });

  test('indicators: events, publications, foreign press, portal news, VND spent, with their aggregations', () => {
    expect(allIndicators(form!).map(({ indicator: i }) => [i.id, i.type, i.aggregation])).toEqual([
      ['su-kien', 'count', 'sum'],
      ['an-pham', 'count', 'sum'],
      ['doan-bao-chi-nuoc-ngoai', 'count', 'sum'],
      ['tin-bai-cong-ttdt', 'count', 'sum'],
      ['ty-le-tin-tieng-anh', 'percentage', 'average'],
      ['su-kien-noi-bat', 'text', 'list'],
      ['kinh-phi-da-chi', 'amount-vnd', 'sum'],
      ['ty-le-giai-ngan', 'percentage', 'average'],
    ]);
    const spent = allIndicators(form!).find((e) => e.indicator.id === 'kinh-phi-da-chi')!.indicator;
    expect(unitOfMeasureOf(spent)).toEqual({ vi: 'đồng', en: 'VND' });
  });

  test('who fills what: foreign press only the units of task 5 and Sở VH,TT&DL; English share departments and press', () => {
    const ids = (unitId: string) => indicatorsFor(form!, unit(unitId)).map((i) => i.id);
    expect(ids('van-phong-ubnd')).toContain('doan-bao-chi-nuoc-ngoai');
    expect(ids('so-khdt')).not.toContain('doan-bao-chi-nuoc-ngoai');
    expect(ids('bao-thai-binh')).toContain('ty-le-tin-tieng-anh');
    expect(ids('ubnd-vu-thu')).toEqual(['su-kien', 'an-pham', 'tin-bai-cong-ttdt', 'su-kien-noi-bat', 'kinh-phi-da-chi', 'ty-le-giai-ngan']);
    expect(sectionsFor(form!, unit('ubnd-vu-thu')).map((s) => s.id)).toEqual(['ket-qua-nhiem-vu', 'hoat-dong-khac', 'kho-khan', 'kien-nghi', 'phuong-huong']);
  });

  test('the issuing settings name Sở TT&TT under UBND tỉnh, symbol STTTT, place Thái Bình', () => {
    expect(program.compilation).toMatchObject({
      issuer: { parent: 'UBND TỈNH THÁI BÌNH', name: 'SỞ THÔNG TIN VÀ TRUYỀN THÔNG', symbol: 'STTTT' },
      place: 'Thái Bình',
      sendTo: ['ubnd-tinh', 'bo-tttt'],
    });
  });

  test('a parsed program parses again to the same value (what the database stores is valid input)', () => {
    const again = parseProgram(JSON.parse(JSON.stringify(program)));
    expect(again.ok && again.program).toEqual(program);
  });
});

describe('form cross-references are checked with the program, each problem at its path', () => {
  test('unknown task, duplicate ids, a unit that owes no reports, an unknown unit and category, an unknown recipient', () => {
    const bad = fileCopy();
    const f = bad.forms['quarterly-report']!;
    (f.sections[0] as { tasks: number[] }).tasks.push(18);
    f.sections.push({ id: 'kien-nghi', title: { vi: 'Lặp', en: 'Dup' } });
    const inds = f.tables[0]!.indicators;
    inds[1]!.id = 'su-kien';
    (inds[2]!.filledBy as { units: string[] }).units.push('ubnd-tinh', 'so-khong-co');
    inds[4]!.filledBy = { categories: ['other'] };
    inds[0]!.tasks = [4, 99];
    (bad.compilation as { copyTo: string[] }).copyTo.push('bao-nhan-dan');
    expect(problemsOf(bad)).toEqual([
      'forms.quarterly-report.sections[0].tasks[17]: unknown focal task 18; use the number of one of the program\'s tasks',
      'forms.quarterly-report.sections[5].id: duplicate section id "kien-nghi" (also forms.quarterly-report.sections[3]); give each its own id',
      'forms.quarterly-report.tables[0].indicators[0].tasks[1]: unknown focal task 99; use the number of one of the program\'s tasks',
      'forms.quarterly-report.tables[0].indicators[1].id: duplicate indicator id "su-kien" (also forms.quarterly-report.tables[0].indicators[0]); give each its own id',
      'forms.quarterly-report.tables[0].indicators[2].filledBy.units[4]: unit "ubnd-tinh" owes no reports (reports: false); it never fills a form, so remove it',
      'forms.quarterly-report.tables[0].indicators[2].filledBy.units[5]: unknown unit "so-khong-co"; use the id of one of the units',
      'forms.quarterly-report.tables[0].indicators[4].filledBy.categories[0]: no reporting unit has category "other"; nobody would fill this, so remove it or add such a unit',
      'compilation.copyTo[1]: unknown recipient "bao-nhan-dan"; use a unit id or the id of one of recipientsAbove',
    ]);
  });

  test('aggregations that do not fit the type, limits on the wrong type, an empty filledBy, a form for a kind without reports', () => {
    const bad = fileCopy();
    const inds = bad.forms['quarterly-report']!.tables[0]!.indicators;
    inds[4]!.aggregation = 'sum'; // a percentage
    inds[5]!.aggregation = 'average'; // a text
    inds[0]!.maxLength = 10; // a count
    inds[6] = { ...inds[3]!, id: 'x', filledBy: {} };
    bad.forms['budget-appraisal'] = bad.forms['quarterly-report']!;
    expect(problemsOf(bad)).toEqual(
      expect.arrayContaining([
        'forms.quarterly-report.tables[0].indicators[4].aggregation: "sum" does not fit a percentage indicator; use one of: average, count, list',
        'forms.quarterly-report.tables[0].indicators[5].aggregation: "average" does not fit a text indicator; use one of: count, list',
        'forms.quarterly-report.tables[0].indicators[0].maxLength: maxLength is for text indicators; remove it from this count indicator',
        'forms.quarterly-report.tables[0].indicators[6].filledBy: say who fills it: list categories and/or unit ids, or leave filledBy out for every unit the round asks',
        'forms.budget-appraisal: "budget-appraisal" is not a round kind that takes a form; use one of: annual-plan, quarterly-report, adhoc, preliminary-review, final-review',
      ]),
    );
  });

  test('a program without forms stays valid (reports are files only)', () => {
    const plain = fileCopy();
    delete (plain as { forms?: unknown }).forms;
    delete (plain as { compilation?: unknown }).compilation;
    const r = parseProgram(plain);
    expect(r.ok && r.program.forms).toBeUndefined();
  });
});
