import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DocxFile } from '../helpers/docx-reader';
import { repoRoot } from './run';

/** scripts/compile-report.ts as a person runs it: example → compile, template → read-form, and its errors. */

const TSX = path.join(repoRoot, 'node_modules/.bin/tsx');
const SCRIPT = path.join(repoRoot, 'scripts/compile-report.ts');

function script(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [SCRIPT, ...args], { cwd, timeout: 90_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('scripts/compile-report.ts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-compile-report-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('example writes a quarter; compile turns it into .docx, .xlsx and the model, and says where', async () => {
    expect(await script(['example', '--year', '2015', '--quarter', '2', '--seed', '3', '--out', 'q2.json'], dir)).toMatchObject({ code: 0, stdout: 'q2.json\n' });
    const input = JSON.parse(readFileSync(path.join(dir, 'q2.json'), 'utf8')) as { rounds: Array<{ key: string; deadline: string; obligations: unknown[] }> };
    expect(input.rounds[0]).toMatchObject({ key: '2015-Q2', deadline: '2015-06-25T00:00:00+07:00' }); // "before 25 June"
    expect(input.rounds[0]!.obligations).toHaveLength(26);

    const result = await script(['compile', 'q2.json', '--out', 'out'], dir);
    expect(result).toMatchObject({ code: 0, stdout: 'docx: out/2015-Q2.docx\nxlsx: out/2015-Q2.xlsx\nmodel: out/2015-Q2.json\n' });
    expect(result.stderr).toMatch(/^Kết quả thực hiện Chương trình hành động về thông tin đối ngoại quý II năm 2015: 26 asked, \d+ on time, \d+ late, \d+ missing\n$/);
    const doc = await DocxFile.open(readFileSync(path.join(dir, 'out/2015-Q2.docx')));
    expect(doc.tables()[0]![0]![1]).toBe('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nThái Bình, ngày      tháng      năm 2015');
    const { model } = JSON.parse(readFileSync(path.join(dir, 'out/2015-Q2.json'), 'utf8')) as { model: { compliance: { totals: { asked: number } } } };
    expect(model.compliance.totals.asked).toBe(26);
  });

  test('template → read-form: an empty template lists what is required, by cell; as a draft it is an empty form', async () => {
    expect(await script(['template', '--unit', 'so-khdt', '--out', 't.xlsx'], dir)).toMatchObject({ code: 0, stdout: 't.xlsx\n' });
    const strict = await script(['read-form', 't.xlsx', '--unit', 'so-khdt'], dir);
    expect(strict.code).toBe(1);
    expect(strict.stderr.split('\n')[0]).toBe(
      'compile-report: t.xlsx: Chỉ tiêu!F6 (su-kien): required: "Sự kiện, hội nghị, hội thảo quảng bá đã tổ chức" (Promotional events, conferences and seminars held); write 0 if there was none',
    );
    const draft = await script(['read-form', 't.xlsx', '--unit', 'so-khdt', '--draft'], dir);
    expect(draft).toMatchObject({ code: 0 });
    expect(JSON.parse(draft.stdout)).toEqual({ indicators: {}, sections: {} });
  });

  test('bad input: one line per problem, exit 1', async () => {
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ scope: 'review', compiledAt: '30/3/2015', rounds: [] }));
    const bad = await script(['compile', 'bad.json'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      [
        'compile-report: bad.json: compiledAt: not an instant; write ISO 8601 with its offset, e.g. 2015-03-30T09:00:00+07:00',
        'compile-report: bad.json: rounds: give at least one round',
        'compile-report: bad.json: review: a review needs "review" (preliminary | final), "fromYear" and "toYear"',
        '',
      ].join('\n'),
    );
    expect(await script(['template', '--unit', 'ubnd-tinh'], dir)).toMatchObject({
      code: 1,
      stderr: 'compile-report: unit "ubnd-tinh" owes no reports (reports: false), so it has no form to fill\n',
    });
  });
});
