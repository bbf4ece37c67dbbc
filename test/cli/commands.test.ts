import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { stringify } from 'yaml';
import { defaultProgramPath } from '../../domain/program/load-file';
import { yearlyCycleWorkflow } from '../../workflows/cycle';
import { cycleWorkflowId } from '../../workflows/ids';
import { useCliBed } from '../helpers/cli-bed';
import { expectFailure, expectSuccess } from './run';
import { parse } from 'yaml';

/**
 * The coordinator's commands against a real `temporal server start-dev` (real time) with a worker in
 * this process on the world's database: programs, a cycle of the current year, ad hoc rounds through the
 * cycle and on their own, submissions with stored files, extensions, status, refusals with their reason,
 * and the auditor's export / timeline / replay of what just happened.
 */
const ZONE = 'Asia/Ho_Chi_Minh';

describe('kybao commands against the dev server', () => {
  const bed = useCliBed({ server: 'dev' }, { KYBAO_ACTOR: 'clerk@test' });
  const programId = 'qd-925-thai-binh';
  // Dates relative to today, so the suite runs any day of the year.
  const today = DateTime.now().setZone(ZONE).startOf('day');
  const deadline = today.plus({ days: 10 });
  const year = deadline.year;
  const day = (d: DateTime) => d.toFormat('yyyy-MM-dd');

  beforeAll(async () => {
    const { env, world, taskQueue } = bed();
    // The year of the ad hoc deadline runs a cycle, as the main job does for the current year.
    await env.client.workflow.start(yearlyCycleWorkflow, {
      taskQueue,
      workflowId: cycleWorkflowId(programId, year),
      args: [{ programRef: world.programRef, year }],
    });
  });

  const run = (...args: string[]) => bed().run(...args);

  it('has --help on every command', async () => {
    const root = await run('--help');
    expectSuccess(root);
    for (const name of ['program', 'status', 'round', 'submit', 'extend', 'appraise', 'plan', 'audit', 'simulate']) expect(root.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    for (const cmd of [['program', 'start'], ['program', 'status'], ['program', 'load'], ['round', 'adhoc'], ['submit'], ['extend'], ['appraise'], ['plan', 'approve'], ['audit', 'export'], ['audit', 'replay'], ['audit', 'timeline'], ['simulate'], ['status']]) {
      const help = await run(...cmd, '--help');
      expectSuccess(help);
      expect(help.stdout).toContain(`Usage: kybao ${cmd.join(' ')}`);
    }
    const submitHelp = await run('submit', '--help');
    for (const flag of ['--address', '--namespace', '--tls-cert', '--tls-key', '--tls-ca', '--database-url', '--json']) expect(submitHelp.stdout).toContain(flag);
  }, 120_000);

  it('loads programs idempotently and runs a program workflow', async () => {
    const { tmp } = bed();
    const same = await run('program', 'load', '--json');
    expectSuccess(same);
    expect(JSON.parse(same.stdout)).toMatchObject({ programId, changed: false, created: false });

    // A second program: the default one under another id, its period reaching this year.
    const def = parse(readFileSync(defaultProgramPath, 'utf8')) as Record<string, unknown> & { period: { firstYear: number; lastYear: number } };
    const file = path.join(tmp, 'test-program.yaml');
    writeFileSync(file, stringify({ ...def, id: 'qd-925-cli-test', period: { firstYear: 2014, lastYear: year + 1 } }));
    const loaded = await run('program', 'load', file);
    expectSuccess(loaded);
    expect(loaded.stdout).toMatch(/^program qd-925-cli-test loaded: \d+ units \(\d+ active\), \d+ contacts, 17 tasks$/m);
    const again = await run('program', 'load', file);
    expect(again.stdout).toMatch(/^program qd-925-cli-test unchanged/m);

    expectFailure(await run('program', 'start', '--program', file, '--from-year', '2031'), /^kybao: --from-year 2031 is outside the period 2014–\d{4} of program qd-925-cli-test$/);
    const started = await run('program', 'start', '--program', file, '--json');
    expectSuccess(started);
    expect(JSON.parse(started.stdout)).toMatchObject({ workflowId: 'program:qd-925-cli-test', programId: 'qd-925-cli-test' });
    expectFailure(await run('program', 'start', '--program', file), /already running as program:qd-925-cli-test/);

    let status = await run('program', 'status', '--program-id', 'qd-925-cli-test');
    for (let i = 0; i < 20 && !status.stdout.includes(`cycle:qd-925-cli-test:`); i++) {
      await new Promise((r) => setTimeout(r, 500));
      status = await run('program', 'status', '--program-id', 'qd-925-cli-test');
    }
    expectSuccess(status);
    expect(status.stdout).toMatch(new RegExp(`^program:qd-925-cli-test: running \\(run \\d+\\); period 2014–${year + 1}; cycles started ${today.year}`, 'm'));
    expect(status.stdout).toMatch(new RegExp(`^cycle:qd-925-cli-test:${today.year}: phase \\w+`, 'm'));
    const json = JSON.parse((await run('program', 'status', '--program-id', 'qd-925-cli-test', '--json')).stdout) as { status: { started: number[] } };
    expect(json.status.started).toContain(today.year);

    expectFailure(await run('program', 'status', '--program-id', 'no-such-program'), /program "no-such-program" is not loaded/);
    expectFailure(await run('program', 'load', path.join(tmp, 'missing.yaml')), /missing\.yaml: no such file/);
  }, 120_000);

  it('starts ad hoc rounds through the cycle and on their own, refusing bad input', async () => {
    const viaCycle = await run('round', 'adhoc', '--title', 'Báo cáo đột xuất về hội nghị xúc tiến đầu tư', '--deadline', day(deadline), '--units', 'so-tttt,so-noi-vu,so-khdt', '--reminders', '5,2,1', '--json');
    expectSuccess(viaCycle);
    expect(JSON.parse(viaCycle.stdout)).toEqual({
      roundId: `${programId}:${year}-adhoc-1`,
      workflowId: `round:${programId}:${year}-adhoc-1`,
      unitIds: ['so-tttt', 'so-noi-vu', 'so-khdt'],
      via: cycleWorkflowId(programId, year),
      deadline: deadline.toISO({ suppressMilliseconds: true }),
    });

    const standalone = await run('round', 'adhoc', '--standalone', '--title', 'Báo cáo báo chí', '--deadline', day(deadline), '--category', 'press');
    expectSuccess(standalone);
    expect(standalone.stdout).toMatch(new RegExp(`^started ad hoc round ${programId}:${year}-adhoc-s1 \\(workflow round:${programId}:${year}-adhoc-s1, standalone\\) for 2 unit\\(s\\), due before ${deadline.setLocale('en-GB').toFormat('ccc yyyy-MM-dd')} 00:00 \\(last day: ${deadline.minus({ days: 1 }).setLocale('en-GB').toFormat('ccc yyyy-MM-dd')}\\)$`, 'm'));

    expectFailure(await run('round', 'adhoc', '--title', 'X round', '--deadline', day(deadline), '--units', 'so-tttt,so-xyz'), /^kybao: unknown unit "so-xyz" in program qd-925-thai-binh$/);
    expectFailure(await run('round', 'adhoc', '--title', 'Past round', '--deadline', '2015-01-01', '--units', 'so-tttt'), /^kybao: --deadline 2015-01-01T00:00:00\+07:00 is in the past \(now is .*\); choose a later date$/);
    expectFailure(await run('round', 'adhoc', '--title', 'Vague round', '--deadline', 'next friday'), /--deadline "next friday" needs a date \(YYYY-MM-DD/);
    expectFailure(await run('round', 'adhoc', '--title', 'Bad category', '--deadline', day(deadline), '--category', 'ministry'), /no unit has category "ministry"/);
    expectFailure(await run('round', 'adhoc', '--title', 'No', '--deadline', day(deadline)), /title: a title of at least 3 characters/);
  }, 120_000);

  it('takes submissions with a stored copy, extensions, and refuses with the workflow’s reason', async () => {
    const { tmp, cli } = bed();
    const round = `${year}-adhoc-1`;
    const report = path.join(tmp, 'bao-cao-so-tttt.pdf');
    writeFileSync(report, `%PDF-1.4 báo cáo ${Date.now()}\n`);
    const sha = createHash('sha256').update(readFileSync(report)).digest('hex');

    const received = await run('submit', '--round', round, '--unit', 'so-tttt', '--file', report, '--note', 'Bản giấy do văn thư nhập');
    expectSuccess(received);
    expect(received.stdout).toMatch(new RegExp(`^received: so-tttt in ${programId}:${round}, version 1, at \\w{3} \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} — on time$`, 'm'));
    // Kept under its SHA-256 (never under a name the sender chose); the original name is kept for display.
    const reference = /^stored "bao-cao-so-tttt\.pdf" \(\d+ bytes\) as (upload:\d+#sha256=[0-9a-f]{64})$/m.exec(received.stdout)![1]!;
    expect(reference).toMatch(new RegExp(`#sha256=${sha}$`));
    const storedDir = cli.KYBAO_SUBMISSIONS_DIR!;
    expect(readdirSync(storedDir)).toEqual([sha]);
    expect(readFileSync(path.join(storedDir, sha))).toEqual(readFileSync(report));

    const second = await run('submit', '--round', `round:${programId}:${round}`, '--unit', 'so-tttt', '--file', report, '--json');
    expectSuccess(second);
    expect(JSON.parse(second.stdout)).toMatchObject({ unitId: 'so-tttt', version: 2, onTime: true });

    expectFailure(await run('submit', '--round', round, '--unit', 'so-khdt', '--file', path.join(tmp, 'khong-co.pdf')), /^kybao: --file .*khong-co\.pdf: no such file; check the path$/);
    expectFailure(await run('submit', '--round', round, '--unit', 'so-xyz', '--file', report), /^kybao: unknown unit "so-xyz" in program qd-925-thai-binh/);
    expectFailure(await run('submit', '--round', round, '--unit', 'ubnd-vu-thu', '--file', report), /^kybao: the submission was refused: unit "ubnd-vu-thu" is not in round qd-925-thai-binh:\d{4}-adhoc-1$/);
    expectFailure(await run('submit', '--round', `${year}-adhoc-99`, '--unit', 'so-tttt', '--file', report), /no round qd-925-thai-binh:\d{4}-adhoc-99 is open; check its id with "kybao status"/);
    // A refused submission leaves nothing behind: no file, no row (the two versions above share one file).
    const other = path.join(tmp, 'bao-cao-khac.pdf');
    writeFileSync(other, `%PDF-1.4 một báo cáo khác ${Date.now()}\n`);
    expectFailure(await run('submit', '--round', round, '--unit', 'ubnd-vu-thu', '--file', other), /^kybao: the submission was refused: unit "ubnd-vu-thu" is not in round/);
    expect(readdirSync(storedDir)).toEqual([sha]);
    expect(await bed().world.db.uploadedFile.count()).toBe(2);

    // Issue #12, item 3: an empty file is refused, and nothing is recorded or kept.
    const empty = path.join(tmp, 'empty.pdf');
    writeFileSync(empty, '');
    expectFailure(await run('submit', '--round', round, '--unit', 'so-khdt', '--file', empty), /^kybao: "empty\.pdf" is empty \(0 bytes\); send the report itself$/);
    // A type not on the list, and a file whose content contradicts its extension, are refused too.
    const exe = path.join(tmp, 'bao-cao.exe');
    writeFileSync(exe, 'MZ');
    expectFailure(await run('submit', '--round', round, '--unit', 'so-khdt', '--file', exe), /^kybao: "bao-cao\.exe" is not an accepted type; send one of: pdf, doc, docx, xls, xlsx, odt, ods, zip, jpg, png$/);
    const fake = path.join(tmp, 'gia.pdf');
    writeFileSync(fake, 'not a pdf');
    expectFailure(await run('submit', '--round', round, '--unit', 'so-khdt', '--file', fake), /"gia\.pdf" does not contain a PDF file/);
    expect(readdirSync(storedDir)).toEqual([sha]);
    expect(await bed().world.db.uploadedFile.count()).toBe(2);
    const khdt = await bed().world.db.obligation.findFirst({ where: { roundId: `${programId}:${round}`, unitId: 'so-khdt' } });
    expect(khdt).toMatchObject({ status: 'pending', submittedAt: null });

    // Issue #12, item 4: a name in NFD (as macOS writes it) keeps its letters, stored in NFC.
    const nfdName = 'Báo cáo quý IV.pdf'.normalize('NFD');
    const nfdFile = path.join(tmp, nfdName);
    writeFileSync(nfdFile, '%PDF-1.4 quý IV\n');
    const accented = await run('submit', '--round', round, '--unit', 'so-khdt', '--file', nfdFile, '--note', 'Ghi chú'.normalize('NFD'), '--json');
    expectSuccess(accented);
    expect(JSON.parse(accented.stdout)).toMatchObject({ fileName: 'Báo cáo quý IV.pdf'.normalize('NFC'), version: 1 });
    const row = await bed().world.db.uploadedFile.findFirst({ where: { unitId: 'so-khdt' } });
    expect(row!.originalName).toBe('Báo cáo quý IV.pdf'.normalize('NFC'));
    const sub = await bed().world.db.submission.findFirst({ where: { obligation: { roundId: `${programId}:${round}`, unitId: 'so-khdt' } } });
    expect(sub!.note).toBe('Ghi chú'.normalize('NFC'));

    const until = deadline.plus({ days: 5 });
    const extended = await run('extend', '--round', round, '--unit', 'so-noi-vu', '--until', day(until), '--reason', 'Chờ số liệu từ các phòng', '--by', 'coordinator@so-tttt');
    expectSuccess(extended);
    expect(extended.stdout).toMatch(new RegExp(`^extended so-noi-vu in ${programId}:${round}: now due before ${until.setLocale('en-GB').toFormat('ccc yyyy-MM-dd')} 00:00, last day ${until.minus({ days: 1 }).setLocale('en-GB').toFormat('ccc yyyy-MM-dd')} \\(status extended\\)$`, 'm'));
    expectFailure(await run('extend', '--round', round, '--unit', 'so-noi-vu', '--until', day(today.minus({ days: 1 })), '--reason', 'late'), /--until .* is in the past/);
    expectFailure(await run('extend', '--round', round, '--unit', 'so-tttt', '--until', day(until), '--reason', 'more time'), /refused: unit "so-tttt" has already submitted; there is nothing to extend/);
    expectFailure(await run('extend', '--round', round, '--unit', 'bao-thai-binh', '--until', day(until), '--reason', 'x'), /reason: a reason of at least 3 characters is required/);
  }, 120_000);

  it('shows units × rounds with rates, and one round in detail', async () => {
    const table = await run('status', '--year', String(year));
    expectSuccess(table);
    expect(table.stdout).toContain(`cycle ${cycleWorkflowId(programId, year)}: running`);
    const header = table.stdout.split('\n').find((l) => l.startsWith('unit '))!;
    expect(header).toMatch(/adhoc-1/);
    expect(header).toMatch(/adhoc-s1/);
    const row = (unit: string) => table.stdout.split('\n').find((l) => l.startsWith(`${unit} `)) ?? '';
    expect(row('so-tttt')).toMatch(/on time/);
    expect(row('so-noi-vu')).toMatch(/extended/);
    expect(row('so-khdt')).toMatch(/on time/);
    expect(row('bao-thai-binh')).toMatch(/pending/);
    expect(table.stdout).toMatch(/^adhoc-1\s+adhoc\s+open\s+.*\s2\s+0\s+0\s+0\s+1\s+0\s+0\s+66\.7%\s+66\.7%$/m);

    const detail = await run('status', '--round', `${year}-adhoc-1`, '--json');
    expectSuccess(detail);
    const r = JSON.parse(detail.stdout) as { state: string; units: Array<{ unitId: string; status: string; submissions: unknown[]; extensions: Array<{ by: string }> }> };
    expect(r.state).toBe('open');
    expect(Object.fromEntries(r.units.map((u) => [u.unitId, u.status]))).toEqual({ 'so-tttt': 'submitted', 'so-noi-vu': 'extended', 'so-khdt': 'submitted' });
    expect(r.units.find((u) => u.unitId === 'so-tttt')!.submissions).toHaveLength(2);
    expect(r.units.find((u) => u.unitId === 'so-noi-vu')!.extensions[0]!.by).toBe('coordinator@so-tttt');
    const text = await run('status', '--round', `${year}-adhoc-1`);
    expect(text.stdout).toMatch(/^so-noi-vu\s+extended\s+.*until .* by coordinator@so-tttt: Chờ số liệu từ các phòng$/m);

    expectFailure(await run('status', '--round', `${year}-adhoc-77`), /no round qd-925-thai-binh:\d{4}-adhoc-77 in \d{4}/);
    expectFailure(await run('status', '--address', '127.0.0.1:1'), /^kybao: cannot reach Temporal at 127\.0\.0\.1:1 /);
  }, 120_000);

  it('refuses appraisal and approval outside their phase, with the cycle’s reason', async () => {
    expectFailure(await run('appraise', '--year', String(year), '--unit', 'so-tttt', '--approve'), /refused: estimates are decided during appraisal; the \d{4} cycle is in its \w+ phase/);
    expectFailure(await run('appraise', '--year', String(year), '--unit', 'so-tttt'), /give exactly one of --approve, --adjust AMOUNT --reason TEXT, --return REASON/);
    expectFailure(await run('appraise', '--year', String(year), '--unit', 'so-tttt', '--adjust', '5000000'), /--adjust needs --reason TEXT/);
    expectFailure(await run('appraise', '--year', String(year), '--unit', 'so-xyz', '--approve'), /unknown unit "so-xyz"/);
    expectFailure(await run('appraise', '--year', '15', '--unit', 'so-tttt', '--approve'), /"15" is not a year/);
    expectFailure(await run('plan', 'approve', '--year', String(year)), /refused: the \d{4} plan can be approved once appraisal is done/);
  }, 120_000);

  it('exports histories, prints a live timeline with the outbox recipients, and replays the export', async () => {
    const { tmp } = bed();
    const workflowId = `round:${programId}:${year}-adhoc-1`;
    const out = path.join(tmp, 'adhoc.json');
    const exported = await run('audit', 'export', workflowId, '--out', out);
    expectSuccess(exported);
    expect(exported.stdout).toMatch(new RegExp(`^wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(${workflowId}, run [0-9a-f-]+, \\d+ events\\)$`, 'm'));
    const history = JSON.parse(readFileSync(out, 'utf8')) as { events: Array<{ eventType: string }> };
    expect(history.events[0]!.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');

    const fromFile = await run('audit', 'timeline', out, '--no-database');
    expectSuccess(fromFile);
    expect(fromFile.stdout).toContain(`round ${programId}:${year}-adhoc-1 — Báo cáo đột xuất về hội nghị xúc tiến đầu tư`);
    expect(fromFile.stdout).toMatch(/ad hoc round announced to 3 units/);
    expect(fromFile.stdout).toMatch(/submission v1 from so-tttt by clerk@test: .*#sha256=[0-9a-f]{64}, note "Bản giấy do văn thư nhập", on time/);
    expect(fromFile.stdout).toMatch(/extension for so-noi-vu until .* granted by coordinator@so-tttt: Chờ số liệu từ các phòng/);

    // From the server, recipients as the outbox recorded them.
    const live = await run('audit', 'timeline', workflowId);
    expectSuccess(live);
    expect(live.stdout).toMatch(/→ so-khdt <contact\.so-khdt@thaibinh\.example>/);
    expect(live.stdout).toContain(`started by ${cycleWorkflowId(programId, year)}`);

    const dir = path.join(tmp, 'export');
    const all = await run('audit', 'export', '--all', '--year', String(year), '--out', dir);
    expectSuccess(all);
    const files = readdirSync(dir);
    expect(files).toEqual(expect.arrayContaining([`cycle__${programId}__${year}.json`, `round__${programId}__${year}-adhoc-1.json`, `round__${programId}__${year}-adhoc-s1.json`]));
    const replayed = await run('audit', 'replay', dir);
    expectSuccess(replayed);
    expect(replayed.stdout.split('\n').filter((l) => l.startsWith('ok '))).toHaveLength(files.length);

    expectFailure(await run('audit', 'export', 'round:nope'), /no workflow round:nope on /);
    expectFailure(await run('audit', 'export', '--all', '--year', String(year)), /--all needs --out DIR/);
  }, 120_000);
});
