import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { RoundInput } from '../../domain/round/schema';
import { compiledReportWorkflow } from '../../workflows/compiled-report';
import { compiledReportWorkflowId } from '../../workflows/ids';
import { useCliBed } from '../helpers/cli-bed';
import { scheduledRoundInput } from '../helpers/rounds';
import { waitForWorkflow } from '../helpers/temporal';
import { expectFailure, expectSuccess } from './run';

/**
 * `kybao report list|show|edit|issue` end to end against a real `temporal server start-dev` with a worker
 * in this process. The Q1 2015 round's rows are opened and its report compiled by the worker's own
 * activities (a round of 2015 cannot close in real time), then the report's workflow is started as the
 * round starts it on close. Its due instant (2015-04-09T00:00+07:00) is long past: only its latest notice,
 * the second escalation, goes out at once.
 */
const P = 'qd-925-thai-binh';
const REPORT = `${P}:2015-Q1-cli`;

describe('kybao report against the dev server', () => {
  const bed = useCliBed({ server: 'dev' }, { KYBAO_ACTOR: 'clerk@test' });

  beforeAll(async () => {
    const { env, world, taskQueue } = bed();
    const units = world.program.units.filter((u) => u.reports && u.id !== world.program.coordinator).map((u) => u.id);
    const { input } = scheduledRoundInput(world, 2015, '2015-Q1', units.slice(0, 3), 'cli');
    // The activity heartbeats: it runs in the SDK's activity context (no worker needed for one call).
    await new MockActivityEnvironment().run(world.activities.openRound, { input: RoundInput.parse(input), trackFrom: '2015-03-01T00:00:00+07:00' });
    await world.activities.compileRoundReport({ programId: P, roundId: input.roundId, compiledAt: '2015-03-30T01:00:00.000Z' });
    await env.client.workflow.start(compiledReportWorkflow, { taskQueue, workflowId: compiledReportWorkflowId(REPORT), args: [{ reportId: REPORT, programId: P, roundId: input.roundId }] });
    await waitForWorkflow(env, compiledReportWorkflowId(REPORT));
  }, 120_000);

  const run = (...args: string[]) => bed().run(...args);

  it('has --help on every report command', async () => {
    for (const cmd of [['report'], ['report', 'list'], ['report', 'show'], ['report', 'edit'], ['report', 'recompile'], ['report', 'issue']]) {
      const help = await run(...cmd, '--help');
      expectSuccess(help);
      expect(help.stdout).toContain(`Usage: kybao ${cmd.join(' ')}`);
    }
  }, 120_000);

  it('lists, shows, edits with NFC text from a file, issues, and refuses what it must', async () => {
    const { tmp } = bed();
    const list = await run('report', 'list', '--year', '2015', '--json');
    expectSuccess(list);
    expect((JSON.parse(list.stdout) as Array<{ id: string; status: string; dueAt: string }>).map((r) => [r.id, r.status, r.dueAt])).toEqual([[REPORT, 'draft', '2015-04-09T00:00:00+07:00']]);
    const table = await run('report', 'list');
    expectSuccess(table);
    expect(table.stdout).toMatch(new RegExp(`${REPORT}\\s+draft\\s+2015-04-09T00:00:00\\+07:00`));

    // The due instant has passed: the latest notice (escalation 2, 14 Apr 2015 08:00) went out at start.
    let shown: { workflow: { notices: Array<{ kind: string; step: number; at: string }> } } | undefined;
    for (let i = 0; i < 100 && !shown?.workflow.notices.length; i++) {
      const s = await run('report', 'show', '2015-Q1-cli', '--json');
      expectSuccess(s);
      shown = JSON.parse(s.stdout) as typeof shown;
      if (!shown?.workflow.notices.length) await new Promise((r) => setTimeout(r, 200));
    }
    expect(shown!.workflow.notices).toEqual([{ key: 'escalation-2', kind: 'escalation', step: 2, at: '2015-04-14T08:00:00+07:00' }]);

    // Text typed in NFD (macOS) is stored NFC.
    const file = path.join(tmp, 'ket-luan.txt');
    writeFileSync(file, 'Các đơn vị cơ bản thực hiện đúng hạn.\n'.normalize('NFD'));
    const edited = await run('report', 'edit', REPORT, '--conclusions-file', file, '--introduction', 'Mở đầu', '--json');
    expectSuccess(edited);
    expect(JSON.parse(edited.stdout)).toMatchObject({ conclusions: 'Các đơn vị cơ bản thực hiện đúng hạn.'.normalize('NFC'), introduction: 'Mở đầu', status: 'draft' });

    expectFailure(await run('report', 'edit', REPORT), /nothing to change: give --introduction/);
    expectFailure(await run('report', 'edit', REPORT, '--conclusions-file', path.join(tmp, 'missing.txt')), /--conclusions-file: cannot read .*missing\.txt \(ENOENT\)/);
    expectFailure(await run('report', 'show', 'no-such-report'), /no compiled report qd-925-thai-binh:no-such-report/);
    expectFailure(await run('report', 'issue', REPORT, '--number', '0'), /--number: "0" is not a register number/);
    expectFailure(await run('report', 'issue', REPORT, '--number', '3'), /give the signer's full name/);
    expectFailure(await run('report', 'issue', REPORT, '--number', '3', '--signer-name', 'A', '--issued-at', '2015-04-15'), /issuedAt "2015-04-15" is not an instant with an offset/);

    const issued = await run('report', 'issue', REPORT, '--number', '3', '--signer-name', 'Nguyễn Văn A', '--signer-title', 'KT. GIÁM ĐỐC|PHÓ GIÁM ĐỐC', '--issued-at', '2015-04-15T08:30:00+07:00');
    expectSuccess(issued);
    expect(issued.stdout).toContain(`issued ${REPORT} as number 03/BC-STTTT on 2015-04-15T08:30:00+07:00`);
    expectFailure(await run('report', 'edit', REPORT, '--conclusions', 'x'), /report qd-925-thai-binh:2015-Q1-cli was issued as number 03\/BC-STTTT on 2015-04-15T08:30:00\+07:00; an issued report cannot be edited/);
    expectFailure(await run('report', 'issue', REPORT, '--number', '4', '--signer-name', 'A'), /an issued report cannot be issued again/);

    const after = await bed().env.client.workflow.getHandle(compiledReportWorkflowId(REPORT)).result();
    expect(after).toMatchObject({ phase: 'completed', number: 3, documents: { docx: expect.stringMatching(/2015-Q1-cli\.so-03\.docx$/) } });
    const show = await run('report', 'show', REPORT);
    expectSuccess(show);
    expect(show.stdout).toContain('status:      issued as number 03/BC-STTTT on 2015-04-15T08:30:00+07:00, signed KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC Nguyễn Văn A');
    expect(show.stdout).toContain(`workflow:    report:${REPORT} (completed)`);
  }, 180_000);
});
