import fc from 'fast-check';
import {
  draftSchema,
  formSubmissionSchema,
  readAmountVnd,
  readCount,
  readPercentage,
  readText,
  validateFormData,
} from '../../domain/forms';
import { defaultProgramPath, loadProgramFile } from '../../domain/program/load-file';

const program = loadProgramFile(defaultProgramPath);
const form = program.forms!['quarterly-report']!;
const unit = (id: string) => program.units.find((u) => u.id === id)!;

/** A complete, valid report of a district committee (no foreign-press or English-share indicators). */
const districtReport = {
  indicators: { 'su-kien': 2, 'an-pham': '1', 'tin-bai-cong-ttdt': 0, 'kinh-phi-da-chi': 35_000_000, 'ty-le-giai-ngan': '40,5' },
  sections: { 'ket-qua-nhiem-vu': { tasks: { '12': 'Phát hành tập gấp giới thiệu làng nghề.' } } },
};

describe('value readers', () => {
  test('counts: whole numbers ≥ 0 from numbers or digit strings; separators, fractions and negatives are refused with a hint', () => {
    expect(readCount(3)).toEqual({ ok: true, value: 3 });
    expect(readCount(' 12 ')).toEqual({ ok: true, value: 12 });
    expect(readCount(0)).toEqual({ ok: true, value: 0 });
    expect(readCount(2.5)).toEqual({ ok: false, message: '2.5 is not a whole number; counts have no fractions' });
    expect(readCount(-1)).toEqual({ ok: false, message: '-1 is negative; a count is 0 or more' });
    expect(readCount('1.000')).toEqual({ ok: false, message: '"1.000": write a whole number in digits only, without separators or decimals' });
    expect(readCount('ba')).toEqual({ ok: false, message: '"ba" is not a number; write a whole number such as 3 (0 if none)' });
    expect(readCount(11, 10)).toEqual({ ok: false, message: '11 is more than 10, the most this form accepts; check for a typo' });
  });

  test('VND: whole đồng, digits kept exact beyond 2^53, leading zeros dropped; dotted thousands get the digits to write', () => {
    expect(readAmountVnd(15_000_000)).toEqual({ ok: true, value: '15000000' });
    expect(readAmountVnd('9007199254740993')).toEqual({ ok: true, value: '9007199254740993' }); // 2^53 + 1, not a safe integer
    expect(readAmountVnd('000125')).toEqual({ ok: true, value: '125' });
    expect(readAmountVnd(2 ** 53 + 2)).toMatchObject({ ok: false, message: expect.stringMatching(/too large to be exact as a number; write it as a string of digits/) });
    expect(readAmountVnd('15.000.000')).toEqual({ ok: false, message: '"15.000.000": write digits only, without thousands separators, e.g. 15000000' });
    expect(readAmountVnd('1500,5')).toEqual({ ok: false, message: '"1500,5" has a fraction; amounts are whole đồng' });
    expect(readAmountVnd(-5)).toEqual({ ok: false, message: '-5 is negative; an amount is 0 or more' });
    expect(readAmountVnd('1'.repeat(19))).toMatchObject({ ok: false });
  });

  test('percentages: 0–100, at most 2 decimals, decimal comma and % sign accepted', () => {
    expect(readPercentage(45.5)).toEqual({ ok: true, value: 45.5 });
    expect(readPercentage('45,25 %')).toEqual({ ok: true, value: 45.25 });
    expect(readPercentage(100)).toEqual({ ok: true, value: 100 });
    expect(readPercentage(100.01)).toEqual({ ok: false, message: '100.01 is not between 0 and 100' });
    expect(readPercentage(-0.5)).toEqual({ ok: false, message: '-0.5 is not between 0 and 100' });
    expect(readPercentage(33.333)).toEqual({ ok: false, message: '33.333 has more than 2 decimals; round it, e.g. 33.33' });
  });

  test('texts are NFC-normalised and trimmed before their length is counted', () => {
    const decomposed = 'Ho\u0323\u0302i nghi\u0323 xu\u0301c tie\u0302\u0301n'; // "Hội nghị xúc tiến" typed with combining marks
    const read = readText(`  ${decomposed}  `, 17);
    expect(read).toEqual({ ok: true, value: 'Hội nghị xúc tiến' });
    expect(read.ok && read.value.length).toBe(17);
    expect(readText('x'.repeat(18), 17)).toEqual({ ok: false, message: 'is 18 characters long; shorten it to at most 17' });
  });

  test('reading a stored value again gives the same value (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.bigInt({ min: 0n, max: 10n ** 18n - 1n }), fc.integer({ min: 0, max: 10_000 }), (n, vnd, hundredths) => {
        const count = readCount(n);
        const amount = readAmountVnd(String(vnd));
        const pct = readPercentage(hundredths / 100);
        expect(count.ok && readCount(count.value)).toEqual(count);
        expect(amount).toEqual({ ok: true, value: String(vnd) });
        expect(amount.ok && readAmountVnd(amount.value)).toEqual(amount);
        expect(pct.ok && Math.round(pct.value * 100)).toBe(hundredths);
      }),
    );
  });
});

describe('formSubmissionSchema(form, unit)', () => {
  test('a district’s complete report parses to the stored shape', () => {
    const parsed = formSubmissionSchema(form, unit('ubnd-vu-thu')).parse(districtReport);
    expect(parsed).toEqual({
      indicators: { 'su-kien': 2, 'an-pham': 1, 'tin-bai-cong-ttdt': 0, 'kinh-phi-da-chi': '35000000', 'ty-le-giai-ngan': 40.5 },
      sections: { 'ket-qua-nhiem-vu': { tasks: { '12': 'Phát hành tập gấp giới thiệu làng nghề.' } } },
    });
  });

  test('every problem is listed at once, each at its path: missing required values, indicators for other units, unknown ids', () => {
    const r = validateFormData(form, unit('ubnd-vu-thu'), {
      indicators: { 'su-kien': 1, 'doan-bao-chi-nuoc-ngoai': 2, 'so-bai-viet': 3, 'kinh-phi-da-chi': '2.000.000' },
      sections: { 'ket-qua-nhiem-vu': { tasks: { '18': 'x' } }, 'ghi-chu': 'y' },
      extra: true,
    });
    expect(r).toEqual({
      ok: false,
      problems: [
        'extra: unknown field "extra"; a filled form has "indicators" and "sections"',
        'indicators.doan-bao-chi-nuoc-ngoai: "doan-bao-chi-nuoc-ngoai" is not asked of ubnd-vu-thu; remove it (it is for other units)',
        'indicators.so-bai-viet: "so-bai-viet" is not an indicator of this form; the form has: su-kien, an-pham, tin-bai-cong-ttdt, su-kien-noi-bat, kinh-phi-da-chi, ty-le-giai-ngan',
        'indicators.an-pham: required: "Ấn phẩm, tài liệu thông tin đối ngoại đã phát hành" (External-information publications and materials issued); write 0 if there was none',
        'indicators.tin-bai-cong-ttdt: required: "Tin, bài đăng trên Cổng thông tin điện tử tỉnh" (News items published on the provincial web portal); write 0 if there was none',
        'indicators.kinh-phi-da-chi: "2.000.000": write digits only, without thousands separators, e.g. 2000000',
        'indicators.ty-le-giai-ngan: required: "Tỷ lệ kinh phí đã sử dụng so với dự toán năm được giao (lũy kế)" (Share of the year\'s approved budget used so far); write 0 if there was none',
        'sections.ghi-chu: "ghi-chu" is not a section of this form; the form has: ket-qua-nhiem-vu, hoat-dong-khac, kho-khan, kien-nghi, phuong-huong',
        'sections.ket-qua-nhiem-vu.tasks.18: focal task "18" is not part of this section; it takes tasks 1–17',
        'sections.ket-qua-nhiem-vu: required: "Kết quả thực hiện các nhiệm vụ trọng tâm" (Results on the focal tasks); write at least one focal task’s text or a general text',
      ],
    });
  });

  test('what a unit is asked depends on its category and id: the press may give the English share, Văn phòng UBND the foreign press', () => {
    const press = { ...districtReport, indicators: { ...districtReport.indicators, 'ty-le-tin-tieng-anh': 12.5 } };
    expect(validateFormData(form, unit('bao-thai-binh'), press)).toMatchObject({ ok: true, data: { indicators: { 'ty-le-tin-tieng-anh': 12.5 } } });
    // optional for the press: may be left out
    expect(validateFormData(form, unit('bao-thai-binh'), districtReport).ok).toBe(true);
    const vp = { ...districtReport, indicators: { ...districtReport.indicators } };
    expect(validateFormData(form, unit('van-phong-ubnd'), vp)).toEqual({
      ok: false,
      problems: [
        'indicators.doan-bao-chi-nuoc-ngoai: required: "Đoàn báo chí, phóng viên nước ngoài đã đón tiếp" (Foreign press delegations and reporters received); write 0 if there was none',
      ],
    });
  });

  test('a section answer may be a plain text; blank values count as absent; texts are NFC', () => {
    const r = formSubmissionSchema(form, unit('ubnd-vu-thu')).parse({
      indicators: { ...districtReport.indicators, 'su-kien-noi-bat': '   ' },
      sections: { 'ket-qua-nhiem-vu': 'To\u0302\u0309ng ke\u0302\u0301t', 'kien-nghi': { text: '', tasks: {} } },
    });
    expect(r.sections).toEqual({ 'ket-qua-nhiem-vu': { text: 'Tổng kết', tasks: {} } });
    expect(r.indicators).not.toHaveProperty('su-kien-noi-bat');
  });

  test('a section not split by task refuses per-task texts', () => {
    const r = validateFormData(form, unit('ubnd-vu-thu'), { ...districtReport, sections: { ...districtReport.sections, 'kien-nghi': { tasks: { '1': 'x' } } } });
    expect(r).toEqual({ ok: false, problems: ['sections.kien-nghi.tasks: this section is not split by focal task; write everything in "text"'] });
  });

  test('not an object at all', () => {
    expect(validateFormData(form, unit('ubnd-vu-thu'), [1, 2])).toEqual({
      ok: false,
      problems: ['(top level): expected a form object { "indicators": …, "sections": … }, got a list'],
    });
  });
});

describe('draftSchema(form, unit)', () => {
  test('a partial draft is accepted, nothing is required', () => {
    expect(draftSchema(form, unit('ubnd-vu-thu')).parse({ indicators: { 'su-kien': '4' } })).toEqual({ indicators: { 'su-kien': 4 }, sections: {} });
    expect(draftSchema(form, unit('ubnd-vu-thu')).parse({})).toEqual({ indicators: {}, sections: {} });
  });

  test('but what a draft holds must still be valid', () => {
    const r = draftSchema(form, unit('ubnd-vu-thu')).safeParse({ indicators: { 'su-kien': -2, 'doan-bao-chi-nuoc-ngoai': 1 } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['indicators.doan-bao-chi-nuoc-ngoai', '"doan-bao-chi-nuoc-ngoai" is not asked of ubnd-vu-thu; remove it (it is for other units)'],
      ['indicators.su-kien', '-2 is negative; a count is 0 or more'],
    ]);
  });
});
