import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { replayHistories } from '../../client/audit/replay';
import { expectSuccess, kybao, repoRoot } from './run';

/**
 * The replay corpus (test/histories, recorded by scripts/record-histories.ts) against the workflow code:
 * every history replays, so no change to workflows/ breaks a running workflow unnoticed; a deliberately
 * changed copy of the round workflow fails with the event where it diverges; and a committed history
 * reads as the expected timeline.
 */
const corpus = path.join(repoRoot, 'test/histories');
const roundQ1 = path.join(corpus, 'round-q1.round__qd-925-thai-binh__2015-Q1.json');

/** A copy of workflows/ beside symlinks to domain/ and activities/, with one edit to round.ts. */
function mutatedWorkflows(edit: (roundTs: string) => string): { dir: string; index: string } {
  const dir = path.join(repoRoot, '.data/test', `mutated-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(repoRoot, 'workflows'), path.join(dir, 'workflows'), { recursive: true });
  symlinkSync(path.join(repoRoot, 'domain'), path.join(dir, 'domain'));
  symlinkSync(path.join(repoRoot, 'activities'), path.join(dir, 'activities'));
  const file = path.join(dir, 'workflows/round.ts');
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error('the edit changed nothing: workflows/round.ts no longer has the line it looks for');
  writeFileSync(file, after);
  return { dir, index: path.join(dir, 'workflows/index.ts') };
}

// A notice the recorded round never sent, scheduled before it stores the round: the code now asks for a
// different activity than the history's first one.
const extraActivityFirst = (src: string) =>
  src.replace(
    'await acts.openRound({',
    "await acts.notify({ roundId: input.roundId, kind: 'opened', step: -1, unitIds: [], at: new Date().toISOString() });\n    await acts.openRound({",
  );

describe('audit replay and timeline on the committed corpus', () => {
  const cleanup: string[] = [];
  afterAll(() => {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('replays every committed history against the current workflow code', async () => {
    const files = readdirSync(corpus).filter((f) => f.endsWith('.json'));
    // Every workflow type the worker registers is in the corpus.
    for (const type of ['skeleton', 'round__', '__group-', 'cycle__', 'estimates__', 'program__', 'report__']) expect(files.some((f) => f.includes(type))).toBe(true);
    // Both sides of every patch are in the corpus: histories recorded before it (without its marker) and after.
    const patchesOf = (f: string) => {
      const events = (JSON.parse(readFileSync(path.join(corpus, f), 'utf8')) as { events: Array<{ markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: Array<{ data?: string }> }> } }> }).events;
      return events
        .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
        .map((e) => (JSON.parse(Buffer.from(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data!, 'base64').toString('utf8')) as { id: string }).id);
    };
    const patched = new Map(files.map((f) => [f, patchesOf(f)]));
    const withPatch = (id: string, prefix: string) => files.filter((f) => f.includes(prefix) && patched.get(f)!.includes(id));
    const withoutPatch = (id: string, prefix: string) => files.filter((f) => f.includes(prefix) && !patched.get(f)!.includes(id));
    for (const [id, prefix] of [
      ['compile-round-report-on-close', '.round__qd-925-thai-binh__2015-Q1.json'],
      ['start-report-obligation-on-close', '.round__qd-925-thai-binh__2015-Q1.json'],
      ['compile-year-and-review-reports', '.cycle__'],
      ['start-year-and-review-report-obligations', '.cycle__'],
      ['shard-keeps-timer-on-submission', '__shard-'],
      ['shard-receipts-with-writes', '__shard-'],
      ['round-shard-groups', '__2015-Q1.json'],
    ] as const) {
      expect({ id, with: withPatch(id, prefix).length > 0, without: withoutPatch(id, prefix).length > 0 }).toEqual({ id, with: true, without: true });
    }
    const result = await kybao(['audit', 'replay', 'test/histories']);
    expectSuccess(result);
    const ok = result.stdout.split('\n').filter((l) => l.startsWith('ok '));
    expect(ok).toHaveLength(files.length);
    expect(result.stdout).not.toMatch(/FAILED/);
    expect(result.stderr).toContain(`${files.length} of ${files.length} histories replayed ok`);
  });

  it('fails, naming the diverging event, when the workflow code changed (CLI, --workflows)', async () => {
    const mutated = mutatedWorkflows(extraActivityFirst);
    cleanup.push(mutated.dir);
    const result = await kybao(['audit', 'replay', path.relative(repoRoot, roundQ1), 'test/histories/skeleton.skeleton-2015-03-02.json', '--workflows', mutated.index]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAILED test\/histories\/round-q1\.round__qd-925-thai-binh__2015-Q1\.json: DeterminismViolationError: .*Nondeterminism error: Activity type of scheduled event 'openRound' does not match activity type of activity command 'notify'/m);
    expect(result.stdout).toMatch(/^ {2}diverged at event 5 ActivityTaskScheduled openRound at 2015-03-02T02:00/m);
    // The other history does not involve the changed workflow and still replays.
    expect(result.stdout).toMatch(/^ok test\/histories\/skeleton\.skeleton-2015-03-02\.json$/m);
  });

  it('fails with the diverging event when replayed against a bundle of changed code (library, workflowBundle)', async () => {
    // A timer where the recorded round scheduled its first reminder check: the round now sleeps first.
    const mutated = mutatedWorkflows((src) =>
      // (round.ts imports sleep already, for its digest alarms.)
      src.replace('await acts.openRound({', "await sleep('1 minute');\n    await acts.openRound({"),
    );
    cleanup.push(mutated.dir);
    const { code } = await bundleWorkflowCode({
      workflowsPath: mutated.index,
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
    });
    const [outcome] = await replayHistories([roundQ1], { workflowBundle: { code } });
    expect(outcome).toMatchObject({ ok: false, workflowId: 'round:qd-925-thai-binh:2015-Q1' });
    expect(outcome!.error).toMatch(/Nondeterminism/);
    expect(outcome!.divergedAt).toEqual({ eventId: 5, description: expect.stringMatching(/^event 5 ActivityTaskScheduled openRound/) });
  });

  it('prints the timeline of a committed round history in local time, without a server or database', async () => {
    const result = await kybao(['audit', 'timeline', path.relative(repoRoot, roundQ1), '--no-database']);
    expectSuccess(result);
    const lines = result.stdout.split('\n');
    const expected = [
      'round qd-925-thai-binh:2015-Q1 — Báo cáo đánh giá tình hình thực hiện quý I/2015 / Implementation report, Q1 2015',
      'times in Asia/Ho_Chi_Minh',
      'Mon 2015-03-02 09:00  round opened: quarterly-report, for so-tttt, van-phong-ubnd, so-noi-vu, so-tai-chinh, due before Wed 2015-03-25 00:00',
      'Mon 2015-03-02 09:00  obligations written: 4 units in 2 shards',
      'Mon 2015-03-02 09:00  [shard 1] opening notice to 2 units',
      'Mon 2015-03-16 08:00  [shard 1] reminder, 7 working days before the deadline, to 2 units',
      'Wed 2015-03-18 10:00  [shard 1] submission v1 from so-tttt by clerk@so-tttt: files/2015-Q1/so-tttt.pdf, on time',
      // Since 0.2.2 the receipt is queued by the write that stores the submission (recordSubmissions).
      'Wed 2015-03-18 10:00  [shard 1] receipt (version 1) to so-tttt',
      'Fri 2015-03-20 08:00  [shard 1] reminder, 3 working days before the deadline, to 1 unit',
      'Fri 2015-03-20 10:00  [shard 2] extension for so-tai-chinh until Wed 2015-04-01 00:00 granted by coordinator@so-tttt: Đang tổng hợp số liệu quý',
      'Tue 2015-03-24 08:00  [shard 2] reminder, 1 working day before the deadline, to 1 unit',
      'Wed 2015-03-25 00:00  [shard 2] overdue: no report by the deadline from 1 unit',
      'Thu 2015-03-26 08:00  [shard 2] escalation step 1 (head) about 1 unit',
      'Fri 2015-03-27 12:00  [shard 2] submission v1 from van-phong-ubnd by clerk@van-phong-ubnd: files/2015-Q1/late.pdf, note "Xin lỗi vì nộp muộn", late by 2d 12h',
      'Fri 2015-03-27 12:00  [shard 2] late receipt (version 1) to van-phong-ubnd',
      'Mon 2015-03-30 08:00  escalation step 2 to coordinator and escalation-recipients: 1 unit still owing under the deadline Wed 2015-03-25 00:00',
      'Mon 2015-03-30 08:00  [shard 1] shard closed: 1 on time, 0 late, 1 missing',
      'Tue 2015-03-31 08:00  [shard 2] reminder, 1 working day before the deadline, to 1 unit',
      'Tue 2015-03-31 10:00  [shard 2] submission v1 from so-tai-chinh by clerk@so-tai-chinh: files/2015-Q1/extended.pdf, on time',
      'Tue 2015-03-31 10:00  [shard 2] receipt (version 1) to so-tai-chinh',
      'Tue 2015-03-31 10:00  [shard 2] shard closed: 1 on time, 1 late, 0 missing',
      'Tue 2015-03-31 10:00  round closed: 2 on time, 1 late, 1 missing; completion 75%, timeliness 50%',
    ];
    // In this order (other lines may sit between them; the two shards' lines of one instant come in either order).
    let at = -1;
    for (const line of expected) {
      const found = lines.findIndex((l, i) => i > at && l === line);
      if (found < 0) throw new Error(`missing or out of order: "${line}"\n--- timeline ---\n${result.stdout}`);
      at = found;
    }
    // Recipients come from the program definition: the escalation's heads and the coordinator desk.
    expect(result.stdout).toContain('→ so-noi-vu (head) <head.so-noi-vu@thaibinh.example>');
    expect(result.stdout).toContain('→ so-tttt (coordinator) <contact.so-tttt@thaibinh.example>');
    expect(result.stdout).toContain('→ van-phong-ubnd (escalation recipient) <contact.van-phong-ubnd@thaibinh.example>');
    expect(result.stdout).toContain('missing: so-noi-vu');

    const json = await kybao(['audit', 'timeline', path.relative(repoRoot, roundQ1), '--no-database', '--json']);
    expectSuccess(json);
    const timeline = JSON.parse(json.stdout) as { workflowType: string; entries: Array<{ kind: string }> };
    expect(timeline.workflowType).toBe('roundWorkflow');
    // Three reminders in each of two shards, and the extended unit's own one before its new deadline.
    expect(timeline.entries.filter((e) => e.kind === 'reminder')).toHaveLength(7);
  });

  it('tells the program runs apart: the run that started a year, and the last one that saw it end', async () => {
    const files = readdirSync(corpus).filter((f) => f.startsWith('year-2015.program__'));
    expect(files).toHaveLength(2);
    const texts = await Promise.all(files.map(async (f) => {
      const result = await kybao(['audit', 'timeline', path.join('test/histories', f), '--no-database']);
      expectSuccess(result);
      return result.stdout;
    }));
    const first = texts.find((t) => t.includes('continued as new'))!;
    const last = texts.find((t) => t.includes('completed'))!;
    // The recorded runs used a one-year version of the program (2014–2015), which is not the default file's: the
    // timeline says so instead of showing another version's period.
    expect(first).toMatch(/program qd-925-thai-binh started at year 2015\n.*program definition [0-9a-f]{12}… is not in the database nor given with --program\n.*started cycle:qd-925-thai-binh:2015\n/);
    expect(last).toMatch(/run 2 of program qd-925-thai-binh started; started so far: 2015, next year 2016/);
    // The cycle's own rounds: plan, appraisal, approval, four quarters and an ad hoc round (estimate revisions belong to the groups).
    expect(last).toMatch(/cycle 2015 ended: 8 of 8 rounds closed, 0 not tracked; report .*annual-2015\.md/);
  });

  it('rejects what is not a history', async () => {
    const notJson = await kybao(['audit', 'replay', 'README.md']);
    expect(notJson.code).toBe(1);
    expect(notJson.stdout).toMatch(/^FAILED README\.md: README\.md: not JSON/m);
    const missing = await kybao(['audit', 'timeline', 'test/histories/nope.json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^kybao: test\/histories\/nope\.json: no such file$/m);
  });
});
