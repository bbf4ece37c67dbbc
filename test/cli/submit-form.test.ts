import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { computeYearSchedule } from '../../domain/calendar/schedule';
import { roundInputFromSchedule } from '../../domain/round/from-schedule';
import { getCompiledReport } from '../../infra/db/compiled-reports';
import { REPO_ROOT } from '../../infra/db/database-url';
import { listRoundFormData } from '../../infra/db/form-data';
import { listSubmissions } from '../../infra/db/round-repository';
import { roundIdOf, roundWorkflowId } from '../../workflows/ids';
import { roundWorkflow } from '../../workflows/round';
import { useCliBed } from '../helpers/cli-bed';
import { DocxFile } from '../helpers/docx-reader';
import { formOf, REPORTS } from '../reports/fixtures/quarter-2015-q1';
import { expectFailure, expectSuccess } from './run';

/**
 * `kybao submit --form`: a clerk enters a unit's filled report form (issue #15) for Q1 2015 on the
 * time-skipping server. The form is checked against the program's quarterly form before anything is
 * kept (one line naming the field), stored with the submission version (with or without a file), and
 * when the round closes it compiles its report (workflows/round.ts), whose figures hold what was sent.
 */
describe('kybao submit --form (Q1 2015, time skipped)', () => {
  const bed = useCliBed({ startAt: '2015-03-10T09:00:00+07:00' });
  const run = (...args: string[]) => bed().run(...args);

  it('validates the form, stores it with the submission and the closed round compiles it', async () => {
    const { env, world, cli, tmp } = bed();
    const scheduled = computeYearSchedule(world.outline, 2015).rounds.find((r) => r.kind === 'quarterly-report' && r.roundKey.endsWith('Q1'))!;
    const roundId = roundIdOf(world.program.id, scheduled.roundKey);
    const input = { ...roundInputFromSchedule(world.outline, scheduled, { roundId }), audience: { unitIds: ['so-tttt', 'so-khdt', 'so-noi-vu'] } };
    const round = await env.client.workflow.start(roundWorkflow, { taskQueue: cli.KYBAO_TASK_QUEUE!, workflowId: roundWorkflowId(roundId), args: [input] });

    const formFile = (unitId: string, name: string, change: (f: { indicators: Record<string, unknown> }) => void = () => undefined) => {
      const r = REPORTS.find((x) => x.unitId === unitId)!;
      const form = formOf(r, world.program.units.find((u) => u.id === unitId)!.name.vi) as { indicators: Record<string, unknown> };
      change(form);
      const file = path.join(tmp, name);
      writeFileSync(file, JSON.stringify(form));
      return file;
    };

    // Refused before anything is kept, in one line naming the field.
    const bad = formFile('so-tttt', 'so-tttt-sai.json', (f) => void (f.indicators['su-kien'] = -2));
    expectFailure(await run('submit', '--round', scheduled.roundKey, '--unit', 'so-tttt', '--form', bad), /^kybao: form: so-tttt-sai\.json: indicators\.su-kien: .*negative/);
    const unknown = formFile('so-tttt', 'so-tttt-la.json', (f) => void (f.indicators['khong-co'] = 1));
    expectFailure(await run('submit', '--round', scheduled.roundKey, '--unit', 'so-tttt', '--form', unknown), /^kybao: form: so-tttt-la\.json: indicators\.khong-co: /);
    expectFailure(await run('submit', '--round', scheduled.roundKey, '--unit', 'so-tttt'), /^kybao: nothing to submit: give --file FILE, --form FILE/);
    expectFailure(await run('submit', '--round', scheduled.roundKey, '--unit', 'so-tttt', '--form', path.join(tmp, 'none.json')), /^kybao: --form .*none\.json: no such file/);
    expect(await listSubmissions(world.db, roundId, 'so-tttt')).toEqual([]);

    // A form with no file, and a form with a file.
    const tttt = await run('submit', '--round', scheduled.roundKey, '--unit', 'so-tttt', '--form', formFile('so-tttt', 'so-tttt.json'));
    expectSuccess(tttt);
    expect(tttt.stdout).toMatch(new RegExp(`^received: so-tttt in ${roundId}, version 1, at Tue 2015-03-10 09:\\d\\d — on time$`, 'm'));
    expect(tttt.stdout).toMatch(/^report form from .*so-tttt\.json stored with version 1$/m);
    const pdf = path.join(tmp, 'bao-cao-so-khdt.pdf');
    writeFileSync(pdf, '%PDF-1.4\nBáo cáo quý I\n');
    expectSuccess(await run('submit', '--round', scheduled.roundKey, '--unit', 'so-khdt', '--form', formFile('so-khdt', 'so-khdt.json'), '--file', pdf, '--note', 'Bản giấy'));

    expect((await listSubmissions(world.db, roundId, 'so-tttt')).map((s) => s.fileRef)).toEqual(['form:so-tttt']);
    expect((await listSubmissions(world.db, roundId, 'so-khdt')).map((s) => s.fileRef)).toEqual([expect.stringMatching(/^upload:\d+#sha256=[0-9a-f]{64}$/)]);
    const forms = await listRoundFormData(world.db, roundId);
    expect(forms.map((f) => [f.unitId, f.version, f.formData.indicators['su-kien'], f.formData.indicators['an-pham']])).toEqual([
      ['so-khdt', 1, 3, 2],
      ['so-tttt', 1, 4, 3],
    ]);

    // The round closes after its last escalation; closing compiles its report (so-noi-vu never sends).
    const summary = await round.result();
    expect(summary.counts).toMatchObject({ submitted: 2, missing: 1 });
    const report = (await getCompiledReport(world.db, `${world.program.id}:${scheduled.roundKey}`))!;
    expect(report).toMatchObject({ scope: 'round', roundId, revision: 1, compiledAt: summary.closedAt });
    const indicator = (id: string) => report.model.tables.flatMap((t) => t.indicators).find((i) => i.id === id)!;
    // so-tttt [4, 3, 25, 120,000,000, 30] + so-khdt [3, 2, 8, 95,000,000, 33.33] (test/reports/fixtures).
    expect(indicator('su-kien').province).toEqual({ asked: 3, reported: 2, value: '7' });
    expect(indicator('an-pham').province.value).toBe('5');
    expect(indicator('kinh-phi-da-chi').province.value).toBe('215000000');
    expect(indicator('ty-le-giai-ngan').province).toMatchObject({ reported: 2, value: '31.67' }); // 63.33 / 2 = 31.665
    expect(report.model.compliance.totals).toMatchObject({ asked: 3, onTime: 2, late: 0, missing: 1 });
    expect(report.model.missing.map((m) => m.unitId)).toEqual(['so-noi-vu']);

    // The .docx is where the report says, and carries the unit's text.
    const docx = path.resolve(REPO_ROOT, report.documents.docx!.ref);
    expect(existsSync(docx) && statSync(docx).size > 0).toBe(true);
    const doc = await DocxFile.open(readFileSync(docx));
    expect(doc.paragraph(/kết quả nhiệm vụ 1 trong quý I/).text).toContain('Sở Thông tin và Truyền thông');
  }, 400_000);
});
