import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { CycleStatus } from '../../domain/cycle/schema';
import { cycleStatusQuery, yearlyCycleWorkflow } from '../../workflows/cycle';
import { cycleWorkflowId } from '../../workflows/ids';
import { useCliBed } from '../helpers/cli-bed';
import { expectFailure, expectSuccess } from './run';

/**
 * The appraiser's and the authority's commands through a planning season: cycle 2015 on the
 * time-skipping server from 20 November 2014 (the CLI connects to it like to any server). Three units
 * send plans with estimates through `kybao submit --amount`; the appraiser approves one, adjusts one and
 * returns one, which comes back through its revision round and is approved; then the plan is approved.
 */
const ZONE = 'Asia/Ho_Chi_Minh';
const at = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toMillis();

describe('kybao appraise and plan approve (cycle 2015, time skipped)', () => {
  const bed = useCliBed({ startAt: '2014-11-20T09:00:00+07:00' });
  const programId = 'qd-925-thai-binh';

  const run = (...args: string[]) => bed().run(...args);
  const skipTo = async (ms: number) => {
    const { env } = bed();
    const now = await env.currentTimeMs();
    if (ms > now) await env.sleep(ms - now);
  };
  async function waitFor(cycle: { query: (q: typeof cycleStatusQuery) => Promise<CycleStatus> }, ok: (s: CycleStatus) => boolean): Promise<CycleStatus> {
    let status = await cycle.query(cycleStatusQuery);
    for (let i = 0; i < 100 && !ok(status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await cycle.query(cycleStatusQuery);
    }
    return status;
  }

  // Fifteen CLI processes (each a tsx start of several seconds on a loaded machine) and time skips.
  it('appraises estimates (approve, adjust, return and resubmit) and approves the plan', async () => {
    const { env, world, cli, tmp } = bed();
    const cycle = await env.client.workflow.start(yearlyCycleWorkflow, {
      taskQueue: cli.KYBAO_TASK_QUEUE!,
      workflowId: cycleWorkflowId(programId, 2015),
      args: [{ programRef: world.programRef, year: 2015 }],
    });
    const plan = path.join(tmp, 'ke-hoach-2015.pdf');
    writeFileSync(plan, '%PDF-1.4\nKế hoạch thông tin đối ngoại năm 2015\n');

    await skipTo(at('2014-12-10T10:00'));
    for (const [unitId, amount] of [['so-tttt', '1.000.000.000'], ['so-noi-vu', '1200000000'], ['so-khdt', '950000000']] as const) {
      const r = await run('submit', '--round', '2015-plan', '--unit', unitId, '--file', plan, '--amount', amount, '--by', `clerk@${unitId}`);
      expectSuccess(r);
      expect(r.stdout).toMatch(new RegExp(`^received: ${unitId} in ${programId}:2015-plan, version 1, at Wed 2014-12-10 10:0\\d — on time$`, 'm'));
    }
    expectFailure(await run('submit', '--round', '2015-plan', '--unit', 'so-vhttdl', '--file', plan, '--amount', '12,5 tỷ'), /"12,5 tỷ" is not a whole amount of VND/);

    // Appraisal starts when the plan round closes at its cut-off (19 December 08:00).
    await skipTo(at('2014-12-22T10:00'));
    expect((await waitFor(cycle, (s) => s.phase === 'appraisal')).phase).toBe('appraisal');
    expectFailure(await run('plan', 'approve', '--year', '2015'), /refused: the 2015 plan can be approved once appraisal is done; the cycle is in its appraisal phase/);

    const approve = await run('appraise', '--year', '2015', '--unit', 'so-tttt', '--approve', '--by', 'appraiser@so-tai-chinh');
    expectSuccess(approve);
    expect(approve.stdout).toMatch(/^estimate of so-tttt for 2015, version 1: approved 1,000,000,000 VND$/m);
    const adjust = await run('appraise', '--year', '2015', '--unit', 'so-noi-vu', '--adjust', '1000000000', '--reason', 'Cắt giảm theo định mức', '--by', 'appraiser@so-tai-chinh');
    expectSuccess(adjust);
    expect(adjust.stdout).toMatch(/^estimate of so-noi-vu for 2015, version 1: adjusted to 1,000,000,000 VND \(asked 1,200,000,000\)$/m);
    const returned = await run('appraise', '--year', '2015', '--unit', 'so-khdt', '--return', 'Thiếu thuyết minh chi tiết', '--by', 'appraiser@so-tai-chinh', '--json');
    expectSuccess(returned);
    expect(JSON.parse(returned.stdout)).toMatchObject({ unitId: 'so-khdt', status: 'returned', returns: 1 });

    expectFailure(await run('appraise', '--year', '2015', '--unit', 'so-tttt', '--approve'), /refused: the estimate of "so-tttt" is approved; only a submitted estimate can be decided/);
    expectFailure(await run('appraise', '--year', '2015', '--unit', 'so-vhttdl', '--approve'), /refused: "so-vhttdl" has no estimate for 2015 to decide on/);
    expectFailure(await run('appraise', '--year', '2015', '--unit', 'so-xyz', '--approve'), /unknown unit "so-xyz"/);
    expectFailure(await run('appraise', '--year', '2016', '--unit', 'so-tttt', '--approve'), /no cycle of 2016 is running \(estimates:qd-925-thai-binh:2016:1 does not exist\)/);

    // The returned estimate comes back through its revision round, then is approved.
    await skipTo(at('2014-12-24T10:00'));
    const resubmitted = await run('submit', '--round', '2015-estimate-so-khdt-r1', '--unit', 'so-khdt', '--file', plan, '--amount', '900000000', '--by', 'clerk@so-khdt');
    expectSuccess(resubmitted);
    // The unit's estimate group holds its estimate while appraisal runs; so does `kybao status`.
    for (let i = 0; i < 100; i++) {
      const view = JSON.parse((await run('status', '--year', '2015', '--json')).stdout) as { cycle: { estimates: Array<{ unitId: string; status: string }> } };
      if (view.cycle.estimates.find((e) => e.unitId === 'so-khdt')?.status === 'submitted') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const live = JSON.parse((await run('status', '--year', '2015', '--json')).stdout) as { cycle: { phase: string; estimates: Array<{ unitId: string }> } };
    expect(live.cycle.phase).toBe('appraisal');
    expect(live.cycle.estimates.find((e) => e.unitId === 'so-khdt')).toMatchObject({ status: 'submitted', version: 2, amountVnd: '900000000' });
    const second = await run('appraise', '--year', '2015', '--unit', 'so-khdt', '--approve', '--by', 'appraiser@so-tai-chinh');
    expectSuccess(second);
    expect(second.stdout).toMatch(/^estimate of so-khdt for 2015, version 2: approved 900,000,000 VND$/m);

    // Every estimate decided: appraisal closes and approval opens.
    expect((await waitFor(cycle, (s) => s.phase === 'approval')).phase).toBe('approval');
    const approved = await run('plan', 'approve', '--year', '2015', '--by', 'chu-tich@ubnd-tinh', '--note', 'Phê duyệt kế hoạch 2015');
    expectSuccess(approved);
    expect(approved.stdout).toMatch(/^plan 2015 approved by chu-tich@ubnd-tinh at \w{3} 2014-12-24 \d{2}:\d{2}$/m);
    expectFailure(await run('plan', 'approve', '--year', '2015'), /refused: .*2015 plan (was already approved by chu-tich@ubnd-tinh|can be approved once appraisal is done)/);

    const status = await run('status', '--year', '2015', '--json');
    expectSuccess(status);
    const view = JSON.parse(status.stdout) as { cycle: { phase: string; approval: { approvedBy: string }; estimates: Array<{ unitId: string; status: string; approvedAmountVnd: string | null }> }; rounds: Array<{ key: string; state: string; counts: Record<string, number> }> };
    expect(view.cycle.approval.approvedBy).toBe('chu-tich@ubnd-tinh');
    expect(Object.fromEntries(view.cycle.estimates.map((e) => [e.unitId, `${e.status} ${e.approvedAmountVnd}`]))).toEqual({
      'so-tttt': 'approved 1000000000',
      'so-noi-vu': 'adjusted 1000000000',
      'so-khdt': 'approved 900000000',
    });
    expect(view.rounds.find((r) => r.key === 'plan')).toMatchObject({ state: 'closed', counts: { submitted: 3, missing: 23 } });
    expect(view.rounds.find((r) => r.key === 'estimate-so-khdt-r1')).toMatchObject({ state: 'closed', counts: { submitted: 1 } });
  }, 400_000);
});
