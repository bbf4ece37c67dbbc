import ExcelJS from 'exceljs';
import { readFormFile } from '../../documents/form-file';
import { readFormTemplate } from '../../documents/form-template/read-template';
import { writeFormTemplate } from '../../documents/form-template/write-template';
import { defaultProgramPath, loadProgramFile } from '../../domain/program/load-file';

const program = loadProgramFile(defaultProgramPath);
const form = program.forms!['quarterly-report']!;
const unit = (id: string) => program.units.find((u) => u.id === id)!;
const round = { roundId: 'qd-925-thai-binh:2015-Q1', title: { vi: 'Báo cáo quý I/2015', en: 'Q1 2015' }, deadline: '2015-03-24T17:00:00.000Z' };

async function template(unitId: string, values?: Parameters<typeof writeFormTemplate>[0]['values']) {
  return writeFormTemplate({ program, formKind: 'quarterly-report', form, unit: unit(unitId), round, values });
}

async function open(bytes: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  return wb;
}

/** The row whose hidden column A holds `id`. */
function rowOf(ws: ExcelJS.Worksheet, id: string): ExcelJS.Row {
  let found: ExcelJS.Row | undefined;
  ws.eachRow((row) => {
    if (row.getCell(1).value === id) found = row;
  });
  if (!found) throw new Error(`no row for ${id} in ${ws.name}`);
  return found;
}

async function save(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('the .xlsx template of a form', () => {
  test('lists what the unit is asked, with ids in a hidden column and only the value cells unlocked', async () => {
    const wb = await open(await template('van-phong-ubnd'));
    expect(wb.worksheets.map((w) => [w.name, w.state])).toEqual([
      ['Hướng dẫn', 'visible'],
      ['Chỉ tiêu', 'visible'],
      ['Nội dung', 'visible'],
      ['kybao', 'veryHidden'],
    ]);
    const ind = wb.getWorksheet('Chỉ tiêu')!;
    expect(ind.getColumn(1).hidden).toBe(true);
    const ids: string[] = [];
    ind.eachRow((row, n) => {
      if (n > 4 && typeof row.getCell(1).value === 'string') ids.push(row.getCell(1).value as string);
    });
    // Văn phòng UBND: a department on task 5's list, so it gets the foreign-press and English-share rows too.
    expect(ids).toEqual(['su-kien', 'an-pham', 'doan-bao-chi-nuoc-ngoai', 'tin-bai-cong-ttdt', 'ty-le-tin-tieng-anh', 'su-kien-noi-bat', 'kinh-phi-da-chi', 'ty-le-giai-ngan']);
    const press = rowOf(ind, 'doan-bao-chi-nuoc-ngoai');
    expect(press.getCell(3).value).toBe('Đoàn báo chí, phóng viên nước ngoài đã đón tiếp');
    expect(press.getCell(4).value).toBe('đoàn');
    expect(press.getCell(6).protection?.locked).toBe(false);
    expect(press.getCell(3).protection?.locked).not.toBe(false);
    expect(press.getCell(6).dataValidation).toMatchObject({ type: 'whole', operator: 'greaterThanOrEqual', formulae: [0] });
    expect(rowOf(ind, 'ty-le-giai-ngan').getCell(6).dataValidation).toMatchObject({ type: 'decimal', operator: 'between', formulae: [0, 100] });
    const sec = wb.getWorksheet('Nội dung')!;
    expect(rowOf(sec, 'ket-qua-nhiem-vu#5').getCell(3).value).toBe(`5. ${program.tasks[4]!.title.vi}`);
    const meta = wb.getWorksheet('kybao')!;
    expect(meta.getRow(5).values).toEqual([undefined, 'unitId', 'van-phong-ubnd']);
  });

  test('filled in a spreadsheet program, it reads back to the JSON a web form submits', async () => {
    const wb = await open(await template('van-phong-ubnd'));
    const ind = wb.getWorksheet('Chỉ tiêu')!;
    const set = (id: string, v: ExcelJS.CellValue, numFmt?: string) => {
      const c = rowOf(ind, id).getCell(6);
      c.value = v;
      // exceljs shares one style object between cells loaded with the same style: copy it before changing it.
      if (numFmt) c.style = { ...c.style, numFmt };
    };
    set('su-kien', { formula: '2+3', result: 5 });
    set('an-pham', '2');
    set('doan-bao-chi-nuoc-ngoai', 1);
    set('tin-bai-cong-ttdt', 40);
    set('ty-le-tin-tieng-anh', 0.455, '0.0%'); // typed as 45.5%
    set('su-kien-noi-bat', { richText: [{ text: 'Đón ' }, { font: { bold: true }, text: 'đoàn NHK' }] });
    set('kinh-phi-da-chi', 125_000_000);
    set('ty-le-giai-ngan', 62.25);
    const sec = wb.getWorksheet('Nội dung')!;
    rowOf(sec, 'ket-qua-nhiem-vu#5').getCell(4).value = 'Đo\u0301n tie\u0302\u0301p 1 đoàn phóng viên Nhật Bản.';
    rowOf(sec, 'kien-nghi').getCell(4).value = 'Bổ sung kinh phí.';
    const r = await readFormTemplate(await save(wb), { form, unit: unit('van-phong-ubnd'), roundId: round.roundId });
    expect(r.ok ? [] : r.problems).toEqual([]);
    expect(r).toMatchObject({ ok: true, meta: { unitId: 'van-phong-ubnd', roundId: round.roundId, formKind: 'quarterly-report' } });
    expect(r.ok && r.data).toEqual({
      indicators: {
        'su-kien': 5,
        'an-pham': 2,
        'doan-bao-chi-nuoc-ngoai': 1,
        'tin-bai-cong-ttdt': 40,
        'ty-le-tin-tieng-anh': 45.5,
        'su-kien-noi-bat': 'Đón đoàn NHK',
        'kinh-phi-da-chi': '125000000',
        'ty-le-giai-ngan': 62.25,
      },
      sections: {
        'ket-qua-nhiem-vu': { tasks: { '5': 'Đón tiếp 1 đoàn phóng viên Nhật Bản.' } },
        'kien-nghi': { text: 'Bổ sung kinh phí.', tasks: {} },
      },
    });
  });

  test('a prefilled template (a draft, a previous version) reads back to the same values', async () => {
    const values = {
      indicators: { 'su-kien': 1, 'an-pham': 0, 'tin-bai-cong-ttdt': 3, 'kinh-phi-da-chi': '9000000000', 'ty-le-giai-ngan': 10.5, 'su-kien-noi-bat': 'Lễ hội đền Trần' },
      sections: { 'ket-qua-nhiem-vu': { text: 'Chung', tasks: { '12': 'Sản xuất phim' } } },
    };
    const r = await readFormTemplate(await template('ubnd-hung-ha', values), { form, unit: unit('ubnd-hung-ha') });
    expect(r.ok && r.data).toEqual(values);
  });

  test('problems name the sheet and the cell', async () => {
    const wb = await open(await template('ubnd-hung-ha'));
    const ind = wb.getWorksheet('Chỉ tiêu')!;
    rowOf(ind, 'su-kien').getCell(6).value = -2;
    // "2/3" typed into a number cell: Excel turns it into a date and gives the cell a date format.
    rowOf(ind, 'an-pham').getCell(6).value = new Date('2015-03-02T00:00:00Z');
    rowOf(ind, 'an-pham').getCell(6).style = { ...rowOf(ind, 'an-pham').getCell(6).style, numFmt: 'dd/mm/yyyy' };
    rowOf(ind, 'kinh-phi-da-chi').getCell(6).value = '15.000.000';
    rowOf(ind, 'ty-le-giai-ngan').getCell(6).value = { error: '#DIV/0!' } as ExcelJS.CellErrorValue;
    let r = await readFormTemplate(await save(wb), { form, unit: unit('ubnd-hung-ha') });
    // Cells that cannot be read at all are reported first; the schema is not run on half a form.
    expect(r).toEqual({
      ok: false,
      meta: expect.anything(),
      problems: [
        'Chỉ tiêu!F7 (an-pham): Excel read this as a date; format the cell as Number or Text and type the value again',
        'Chỉ tiêu!F12 (ty-le-giai-ngan): the cell shows the error #DIV/0!; type the value instead',
      ],
    });
    // As in Excel, the date format stays with the cell: typing 2 still reads as a date until it is reset.
    rowOf(ind, 'an-pham').getCell(6).value = 2;
    r = await readFormTemplate(await save(wb), { form, unit: unit('ubnd-hung-ha') });
    expect(r.ok ? [] : r.problems).toEqual([
      'Chỉ tiêu!F7 (an-pham): Excel read this as a date; format the cell as Number or Text and type the value again',
      'Chỉ tiêu!F12 (ty-le-giai-ngan): the cell shows the error #DIV/0!; type the value instead',
    ]);
    rowOf(ind, 'an-pham').getCell(6).style = { ...rowOf(ind, 'an-pham').getCell(6).style, numFmt: '#,##0' };
    rowOf(ind, 'ty-le-giai-ngan').getCell(6).value = 101;
    r = await readFormTemplate(await save(wb), { form, unit: unit('ubnd-hung-ha') });
    expect(r.ok ? [] : r.problems).toEqual([
      'Chỉ tiêu!F6 (su-kien): -2 is negative; a count is 0 or more',
      'Chỉ tiêu!F8 (tin-bai-cong-ttdt): required: "Tin, bài đăng trên Cổng thông tin điện tử tỉnh" (News items published on the provincial web portal); write 0 if there was none',
      'Chỉ tiêu!F11 (kinh-phi-da-chi): "15.000.000": write digits only, without thousands separators, e.g. 15000000',
      'Chỉ tiêu!F12 (ty-le-giai-ngan): 101 is not between 0 and 100',
      'Nội dung!D5 (ket-qua-nhiem-vu): required: "Kết quả thực hiện các nhiệm vụ trọng tâm" (Results on the focal tasks); write at least one focal task’s text or a general text',
    ]);
  });

  test('another unit’s or another round’s template is refused, and so is a workbook that is no template', async () => {
    const other = await template('ubnd-hung-ha');
    expect(await readFormTemplate(other, { form, unit: unit('ubnd-vu-thu') })).toMatchObject({
      ok: false,
      problems: ['this template was made for unit "ubnd-hung-ha", not "ubnd-vu-thu"; download the template of your own unit'],
    });
    expect(await readFormTemplate(await template('ubnd-hung-ha'), { form, unit: unit('ubnd-hung-ha'), roundId: 'qd-925-thai-binh:2015-Q2' })).toMatchObject({
      ok: false,
      problems: ['this template was made for round "qd-925-thai-binh:2015-Q1", not "qd-925-thai-binh:2015-Q2"; download the template of this round'],
    });
    const plain = new ExcelJS.Workbook();
    plain.addWorksheet('Sheet1').getCell('A1').value = 1;
    expect(await readFormTemplate(await save(plain), { form, unit: unit('ubnd-hung-ha') })).toMatchObject({ ok: false, problems: [expect.stringMatching(/not a kybao form template/)] });
    expect(await readFormTemplate(Buffer.from('not a zip'), { form, unit: unit('ubnd-hung-ha') })).toMatchObject({ ok: false, problems: [expect.stringMatching(/^not a readable \.xlsx file/)] });
  });
});

describe('readFormFile', () => {
  test('JSON and .xlsx give the same data; problems carry the file name; other files are refused', async () => {
    const values = { indicators: { 'su-kien': 2, 'an-pham': 1, 'tin-bai-cong-ttdt': 0, 'kinh-phi-da-chi': '1000', 'ty-le-giai-ngan': 5 }, sections: { 'ket-qua-nhiem-vu': { tasks: { '12': 'x' } } } };
    const fromJson = await readFormFile('bao-cao.json', Buffer.from(JSON.stringify(values)), { form, unit: unit('ubnd-hung-ha') });
    const fromXlsx = await readFormFile('bao-cao.xlsx', await template('ubnd-hung-ha', values), { form, unit: unit('ubnd-hung-ha') });
    expect(fromJson).toEqual({ ok: true, data: values });
    expect(fromXlsx).toEqual(fromJson);
    expect(await readFormFile('/tmp/x/bao-cao.json', Buffer.from('{"indicators": {"su-kien": -1}}'), { form, unit: unit('ubnd-hung-ha'), draft: true })).toEqual({
      ok: false,
      problems: ['bao-cao.json: indicators.su-kien: -1 is negative; a count is 0 or more'],
    });
    expect(await readFormFile('bao-cao.json', Buffer.from('{'), { form, unit: unit('ubnd-hung-ha') })).toMatchObject({ ok: false, problems: [expect.stringMatching(/^bao-cao\.json: not valid JSON/)] });
    expect(await readFormFile('bao-cao.docx', Buffer.from(''), { form, unit: unit('ubnd-hung-ha') })).toEqual({
      ok: false,
      problems: ['bao-cao.docx: a filled form is a .json or .xlsx file, not ".docx"'],
    });
  });
});
