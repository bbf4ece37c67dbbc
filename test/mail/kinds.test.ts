import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { listDecisions, recordDecision, recordEstimate } from '../../infra/db/budget-repository';
import { listNotifications } from '../../infra/db/outbox-repository';
import { closeRound, recordSubmission, setObligationStatus, upsertObligations, upsertRound } from '../../infra/db/round-repository';
import type { NotifyRequest } from '../../activities/round-types';
import type { StoredMessage } from '../../client/mail-sink';
import { loadProgramFile } from '../../domain/program/load-file';
import { createWorld, type World } from '../helpers/world';
import { DEADLINE, keyOf, seedRound, testDispatcher } from './helpers';

/**
 * Every kind of mail for a sample round (Q1 2015 of the default program), delivered through the outbox
 * to the real SMTP sink on loopback: the exact recipients and subject of each, and its exact text
 * (snapshot, reviewed), once with the program's units in Vietnamese and once in English.
 */
const ROUND = 'qd-925-thai-binh:2015-Q1';
const ADHOC = 'qd-925-thai-binh:2015-adhoc-1';
const APPRAISAL = 'qd-925-thai-binh:2015-budget-appraisal';
const APPROVAL = 'qd-925-thai-binh:2015-plan-approval';
const COMPILATION = 'qd-925-thai-binh:2015-compilation';
const [A, B, C, D] = ['so-noi-vu', 'so-khdt', 'cong-an-tinh', 'so-vhttdl'];
const mail = (id: string) => `${id}@thaibinh.example`;

type Expectation = { to: string[]; subject: { vi: string; en: string } };

const EXPECTED: Record<string, Expectation> = {
  [`${ROUND}|${A}|opened|0`]: {
    to: [mail('contact.so-noi-vu')],
    subject: {
      vi: '[kybao] Thông báo mở kỳ báo cáo: Báo cáo đánh giá tình hình thực hiện quý I/2015 (hạn cuối: thứ Ba 24/3/2015)',
      en: '[kybao] Reporting round opened: Implementation report, Q1 2015 (last day: Tue 24 Mar 2015)',
    },
  },
  [`${ADHOC}|${A}|adhoc-announced|0`]: {
    to: [mail('contact.so-noi-vu')],
    subject: {
      vi: '[kybao] Yêu cầu báo cáo đột xuất: Báo cáo đột xuất về công tác thông tin đối ngoại (hạn cuối: thứ Ba 24/3/2015)',
      en: '[kybao] Ad hoc report requested: Ad hoc report on external information (last day: Tue 24 Mar 2015)',
    },
  },
  [`${ROUND}|${B}|reminder|7`]: {
    to: [mail('contact.so-khdt')],
    subject: {
      vi: '[kybao] Nhắc hạn nộp báo cáo (còn 7 ngày làm việc): Báo cáo đánh giá tình hình thực hiện quý I/2015 (hạn cuối: thứ Ba 24/3/2015)',
      en: '[kybao] Reminder: report due in 7 working days: Implementation report, Q1 2015 (last day: Tue 24 Mar 2015)',
    },
  },
  [`${ROUND}|${B}|reminder|1`]: {
    to: [mail('contact.so-khdt')],
    subject: {
      vi: '[kybao] Hôm nay, thứ Ba 24/3/2015, là ngày cuối cùng nộp báo cáo: Báo cáo đánh giá tình hình thực hiện quý I/2015',
      en: '[kybao] Today, Tue 24 Mar 2015, is the last day to submit: Implementation report, Q1 2015',
    },
  },
  [`${ROUND}|${A}|receipt|1`]: {
    to: [mail('contact.so-noi-vu')],
    subject: {
      vi: '[kybao] Xác nhận đã nhận báo cáo: Báo cáo đánh giá tình hình thực hiện quý I/2015 – Sở Nội vụ',
      en: '[kybao] Report received: Implementation report, Q1 2015 – Department of Home Affairs',
    },
  },
  [`${ROUND}|${C}|extended|1`]: {
    to: [mail('contact.cong-an-tinh')],
    subject: {
      vi: '[kybao] Gia hạn nộp báo cáo: Báo cáo đánh giá tình hình thực hiện quý I/2015 (hạn cuối mới: thứ Ba 31/3/2015)',
      en: '[kybao] Deadline extended: Implementation report, Q1 2015 (new last day: Tue 31 Mar 2015)',
    },
  },
  [`${ROUND}|${B}|overdue|0`]: {
    to: [mail('contact.so-khdt')],
    subject: { vi: '[kybao] Quá hạn nộp báo cáo: Báo cáo đánh giá tình hình thực hiện quý I/2015 (hạn cuối: thứ Ba 24/3/2015)', en: '[kybao] Report overdue: Implementation report, Q1 2015 (last day: Tue 24 Mar 2015)' },
  },
  [`${ROUND}|${B}|escalation|1|head`]: {
    to: [mail('head.so-khdt')],
    subject: {
      vi: '[kybao] Báo cáo chậm nộp: Sở Kế hoạch và Đầu tư – Báo cáo đánh giá tình hình thực hiện quý I/2015 (hạn cuối: thứ Ba 24/3/2015)',
      en: '[kybao] Report not received: Department of Planning and Investment – Implementation report, Q1 2015 (last day: Tue 24 Mar 2015)',
    },
  },
  [`${ROUND}|${B}|late-receipt|1`]: {
    to: [mail('contact.so-khdt')],
    subject: {
      vi: '[kybao] Xác nhận đã nhận báo cáo (nộp muộn): Báo cáo đánh giá tình hình thực hiện quý I/2015 – Sở Kế hoạch và Đầu tư',
      en: '[kybao] Report received (late): Implementation report, Q1 2015 – Department of Planning and Investment',
    },
  },
  [`${ROUND}|*|escalation|2|above`]: {
    to: [mail('contact.so-tttt'), mail('contact.van-phong-ubnd')],
    subject: {
      vi: '[kybao] Danh sách đơn vị chậm nộp báo cáo (1 đơn vị): Báo cáo đánh giá tình hình thực hiện quý I/2015 (hạn cuối: thứ Ba 24/3/2015)',
      en: '[kybao] Units late with their reports (1 unit): Implementation report, Q1 2015 (last day: Tue 24 Mar 2015)',
    },
  },
  [`${ROUND}|*|closed|0`]: {
    to: [mail('contact.so-tttt')],
    subject: {
      vi: '[kybao] Kết quả kỳ báo cáo: Báo cáo đánh giá tình hình thực hiện quý I/2015 – đã nộp 50%',
      en: '[kybao] Round closed: Implementation report, Q1 2015 – 50% submitted',
    },
  },
  [`${APPRAISAL}|${A}|estimate-approved|1`]: {
    to: [mail('contact.so-noi-vu')],
    subject: { vi: '[kybao] Dự toán kinh phí năm 2015 được chấp thuận: Sở Nội vụ', en: '[kybao] Budget estimate 2015 approved: Department of Home Affairs' },
  },
  [`${APPRAISAL}|${B}|estimate-adjusted|1`]: {
    to: [mail('contact.so-khdt')],
    subject: {
      vi: '[kybao] Dự toán kinh phí năm 2015 được điều chỉnh: Sở Kế hoạch và Đầu tư',
      en: '[kybao] Budget estimate 2015 adjusted: Department of Planning and Investment',
    },
  },
  [`${APPRAISAL}|${C}|estimate-returned|1`]: {
    to: [mail('contact.cong-an-tinh')],
    subject: { vi: '[kybao] Dự toán kinh phí năm 2015 trả lại để hoàn thiện: Công an tỉnh', en: '[kybao] Budget estimate 2015 returned for revision: Provincial Police' },
  },
  [`${APPRAISAL}|*|appraisal-summary|0`]: {
    to: [mail('contact.ubnd-tinh')],
    subject: { vi: '[kybao] Tổng hợp kết quả thẩm định dự toán kinh phí năm 2015', en: '[kybao] Budget appraisal 2015: summary of the results' },
  },
  [`${APPROVAL}|${A}|plan-approved|0`]: {
    to: [mail('contact.so-noi-vu')],
    subject: { vi: '[kybao] Kế hoạch thông tin đối ngoại năm 2015 đã được phê duyệt', en: '[kybao] External information plan 2015 approved' },
  },
  [`${COMPILATION}|*|compilation|0`]: {
    to: [mail('contact.ubnd-tinh'), 'contact.bo-tttt@mic.example', mail('contact.ban-tuyen-giao')],
    subject: { vi: '[kybao] Báo cáo tổng hợp kết quả công tác thông tin đối ngoại năm 2015', en: '[kybao] Consolidated external information report 2015' },
  },
};

describe.each(['vi', 'en'] as const)('every kind of mail, units writing in %s', (lang) => {
  let world: World;
  const received = new Map<string, StoredMessage>();

  beforeAll(async () => {
    const base = loadProgramFile();
    const program = { ...base, units: base.units.map((u) => ({ ...u, language: lang })) };
    world = await createWorld({ program });
    const notify = (req: Omit<NotifyRequest, 'step'> & { step?: number }) => world.activities.notify({ step: 0, ...req });

    // The quarterly round: A reports on time, B late, C gets an extension and then misses it, D never reports.
    await seedRound(world, ROUND, [A, B, C, D]);
    await notify({ roundId: ROUND, kind: 'opened', unitIds: [A], at: '2015-03-02T02:00:00.000Z' });
    await seedRound(world, ADHOC, [A], { kind: 'adhoc', title: { vi: 'Báo cáo đột xuất về công tác thông tin đối ngoại', en: 'Ad hoc report on external information' }, subject: 'Kết quả tuyên truyền Năm Du lịch quốc gia 2015' });
    await notify({ roundId: ADHOC, kind: 'adhoc-announced', unitIds: [A], at: '2015-03-02T03:00:00.000Z' });
    await notify({ roundId: ROUND, kind: 'reminder', step: 7, unitIds: [B], at: '2015-03-16T01:00:00.000Z' });
    await recordSubmission(world.db, { roundId: ROUND, unitId: A, submittedBy: 'van-thu@sonoivu', submittedAt: '2015-03-20T03:15:00.000Z', fileRef: 'https://docs.thaibinh.example/so-noi-vu/q1-2015.pdf' });
    await notify({ roundId: ROUND, kind: 'receipt', step: 1, unitIds: [A], at: '2015-03-20T03:15:00.000Z' });
    await setObligationStatus(world.db, { roundId: ROUND, unitId: C, status: 'extended', dueAt: '2015-03-31T17:00:00.000Z', reason: 'Đơn vị đang tổng hợp số liệu từ các huyện', actor: 'coordinator@so-tttt', at: '2015-03-23T04:00:00.000Z' });
    await notify({ roundId: ROUND, kind: 'extended', step: 1, unitIds: [C], at: '2015-03-23T04:00:00.000Z' });
    await notify({ roundId: ROUND, kind: 'reminder', step: 1, unitIds: [B], at: '2015-03-24T01:00:00.000Z' });
    await notify({ roundId: ROUND, kind: 'overdue', unitIds: [B], at: DEADLINE });
    await notify({ roundId: ROUND, kind: 'escalation', step: 1, roles: ['head'], unitIds: [B], at: '2015-03-26T01:00:00.000Z' });
    await recordSubmission(world.db, { roundId: ROUND, unitId: B, submittedBy: 'van-thu@sokhdt', submittedAt: '2015-03-27T05:00:00.000Z', fileRef: 'files/so-khdt-q1.pdf' });
    await notify({ roundId: ROUND, kind: 'late-receipt', step: 1, unitIds: [B], at: '2015-03-27T05:00:00.000Z' });
    await setObligationStatus(world.db, { roundId: ROUND, unitId: D, status: 'overdue', actor: 'workflow', at: DEADLINE });
    await notify({ roundId: ROUND, kind: 'escalation', step: 2, roles: ['coordinator', 'escalation-recipients'], unitIds: [D], at: '2015-03-30T01:00:00.000Z' });
    for (const unitId of [C, D]) await setObligationStatus(world.db, { roundId: ROUND, unitId, status: 'missing', actor: 'workflow', at: '2015-04-03T01:00:00.000Z' });
    await closeRound(world.db, { roundId: ROUND, result: {}, closedAt: '2015-04-03T01:00:00.000Z', actor: 'workflow' });
    await notify({ roundId: ROUND, kind: 'closed', unitIds: [world.program.coordinator], at: '2015-04-03T01:00:00.000Z' });

    // Budget appraisal: approve A, adjust B, return C; the summary goes to the provincial committee.
    await seedRound(world, APPRAISAL, [world.program.appraiser], { kind: 'budget-appraisal', title: { vi: 'Thẩm định dự toán kinh phí', en: 'Budget appraisal' } });
    const decide = async (unitId: string, amountVnd: string, decision: 'approve' | 'adjust' | 'return', extra: { amountVnd?: string; reason?: string } = {}) => {
      const { estimate } = await recordEstimate(world.db, { programId: world.program.id, year: 2015, unitId, amountVnd, submittedBy: `ke-toan@${unitId}`, submittedAt: '2014-12-10T03:00:00.000Z' });
      await recordDecision(world.db, { estimateId: estimate.id, decision, decidedBy: 'tham-dinh@so-tai-chinh', decidedAt: '2015-01-10T03:00:00.000Z', ...extra });
      expect(await listDecisions(world.db, estimate.id)).toHaveLength(1);
    };
    await decide(A, '250000000', 'approve');
    await decide(B, '180000000', 'adjust', { amountVnd: '150000000', reason: 'Giảm chi tổ chức hội nghị' });
    await decide(C, '90000000', 'return', { reason: 'Thiếu thuyết minh chi tiết các khoản chi' });
    await notify({ roundId: APPRAISAL, kind: 'estimate-approved', step: 1, unitIds: [A], at: '2015-01-10T03:00:00.000Z' });
    await notify({ roundId: APPRAISAL, kind: 'estimate-adjusted', step: 1, unitIds: [B], at: '2015-01-10T03:00:00.000Z' });
    await notify({ roundId: APPRAISAL, kind: 'estimate-returned', step: 1, unitIds: [C], at: '2015-01-10T03:00:00.000Z' });
    await notify({ roundId: APPRAISAL, kind: 'appraisal-summary', unitIds: [world.program.approvingAuthority], at: '2015-01-15T01:00:00.000Z' });

    await seedRound(world, APPROVAL, [world.program.approvingAuthority], { kind: 'plan-approval', title: { vi: 'Phê duyệt kế hoạch năm', en: 'Approval of the annual plan' } });
    await notify({ roundId: APPROVAL, kind: 'plan-approved', unitIds: [A], at: '2015-01-30T02:00:00.000Z' });

    await upsertRound(world.db, { id: COMPILATION, programId: world.program.id, year: 2015, kind: 'compilation', title: { vi: 'Báo cáo tổng hợp năm 2015', en: 'Consolidated report 2015' }, deadline: '2016-01-05T02:00:00.000Z' });
    await upsertObligations(world.db, { roundId: COMPILATION, obligations: [] });
    await closeRound(world.db, { roundId: COMPILATION, result: { reference: '.data/reports/qd-925-thai-binh/annual-2015.md' }, closedAt: '2016-01-05T02:00:00.000Z' });
    await notify({ roundId: COMPILATION, kind: 'compilation', unitIds: [world.program.approvingAuthority], at: '2016-01-05T02:00:00.000Z' });

    const { dispatcher, close } = testDispatcher(world);
    await dispatcher.drain();
    await close();
    for (const m of await world.messages()) {
      const key = keyOf(await readFile(path.join(world.sink.dir, `${m.id}.eml`), 'utf8'));
      if (key) received.set(key, m);
    }
  });
  afterAll(async () => {
    await world?.close();
  });

  test('the outbox sent one message per notification and nothing else', async () => {
    const rows = await listNotifications(world.db);
    expect(rows.map((r) => r.idempotencyKey).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(rows.every((r) => r.status === 'sent' && r.language === lang)).toBe(true);
    expect([...received.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect((await world.messages()).length).toBe(Object.keys(EXPECTED).length);
  });

  test.each(Object.keys(EXPECTED))('%s: exact recipients, subject and body', (key) => {
    const m = received.get(key)!;
    const expected = EXPECTED[key]!;
    expect(m.envelopeTo).toEqual(expected.to);
    expect(m.to).toEqual(expected.to);
    expect(m.from).toBe('no-reply@kybao.example');
    expect(m.subject).toBe(expected.subject[lang]);
    expect(m.html).toMatch(/^<!doctype html>/);
    expect(m.text).toMatchSnapshot();
  });

  test('each per-unit deadline mail names the round, the unit, the local deadline with its weekday, the time left and the link', () => {
    const b = received.get(`${ROUND}|${B}|reminder|7`)!.text;
    if (lang === 'vi') {
      expect(b).toContain('Kính gửi: Bộ phận báo cáo, Sở Kế hoạch và Đầu tư');
      expect(b).toContain('Hệ thống chưa nhận được báo cáo "Báo cáo đánh giá tình hình thực hiện quý I/2015" của Sở Kế hoạch và Đầu tư. Thời hạn nộp còn 7 ngày làm việc.');
      expect(b).toContain('Hạn nộp: trước 00:00 Thứ Tư, 25/03/2015 (ngày cuối cùng: Thứ Ba, 24/03/2015)');
      expect(b).toContain('Thời gian còn lại: 8 ngày 16 giờ');
      expect(b).toContain('Nộp báo cáo tại: https://kybao.test/rounds/qd-925-thai-binh%3A2015-Q1/units/so-khdt');
    } else {
      expect(b).toContain('To: Department of Planning and Investment');
      expect(b).toContain('It is due in 7 working days.');
      expect(b).toContain('Deadline: before 00:00, Wednesday 25 March 2015 (last day: Tuesday 24 March 2015)');
      expect(b).toContain('Time left: 8 days 16 hours');
      expect(b).toContain('Submit your report at: https://kybao.test/rounds/qd-925-thai-binh%3A2015-Q1/units/so-khdt');
    }
  });
});
