import { parseProgram, type Program } from '../../domain/program';

/**
 * A small program whose form has one indicator of every type and aggregation, for checking the
 * compilation's arithmetic by hand: two departments, two districts, one press agency.
 */
export function smallProgram(): Program {
  const unit = (id: string, category: string) => ({
    id,
    category,
    name: { vi: `Đơn vị ${id}`, en: `Unit ${id}` },
    contact: { email: `${id}@demo.example` },
    head: { email: `head.${id}@demo.example` },
  });
  const r = parseProgram({
    id: 'demo',
    title: { vi: 'Chương trình thử nghiệm', en: 'Demo program' },
    source: { reference: '1/QĐ-UBND', date: '2014-01-06', issuer: { vi: 'Ủy ban nhân dân tỉnh Demo', en: 'Demo PPC' } },
    period: { firstYear: 2015, lastYear: 2016 },
    units: [unit('d1', 'department'), unit('d2', 'department'), unit('h1', 'district'), unit('h2', 'district'), unit('p1', 'press')],
    coordinator: 'd1',
    appraiser: 'd2',
    approvingAuthority: 'd1',
    tasks: [
      { number: 1, title: { vi: 'Nhiệm vụ một', en: 'Task one' }, lead: 'd1' },
      { number: 2, title: { vi: 'Nhiệm vụ hai', en: 'Task two' }, lead: 'd2' },
    ],
    forms: {
      'quarterly-report': {
        title: { vi: 'Kết quả thực hiện', en: 'Results' },
        sections: [
          { id: 's1', title: { vi: 'Theo nhiệm vụ', en: 'By task' }, tasks: [1, 2] },
          { id: 's2', title: { vi: 'Kiến nghị', en: 'Proposals' } },
        ],
        tables: [
          {
            id: 't',
            title: { vi: 'Chỉ tiêu', en: 'Indicators' },
            indicators: [
              { id: 'events', name: { vi: 'Sự kiện', en: 'Events' }, type: 'count', aggregation: 'sum' },
              { id: 'staff', name: { vi: 'Cán bộ', en: 'Staff' }, type: 'count', aggregation: 'average' },
              { id: 'spent', name: { vi: 'Đã chi', en: 'Spent' }, type: 'amount-vnd', aggregation: 'sum' },
              { id: 'grant', name: { vi: 'Được giao', en: 'Granted' }, type: 'amount-vnd', aggregation: 'average' },
              { id: 'share', name: { vi: 'Tỷ lệ', en: 'Share' }, type: 'percentage', aggregation: 'average', required: false, filledBy: { categories: ['department', 'press'] } },
              { id: 'delegations', name: { vi: 'Đoàn', en: 'Delegations' }, type: 'count', aggregation: 'count' },
              { id: 'highlight', name: { vi: 'Nổi bật', en: 'Highlight' }, type: 'text', aggregation: 'list', required: false },
              { id: 'noted', name: { vi: 'Có ghi chú', en: 'Noted' }, type: 'text', aggregation: 'count', required: false },
            ],
          },
        ],
      },
    },
    compilation: { issuer: { parent: 'UBND TỈNH DEMO', symbol: 'SD' }, place: 'Demo', sendTo: ['d2'], archive: 'VT, D1' },
  });
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.program;
}

/** "Before 25 March 2015" in Asia/Ho_Chi_Minh: 00:00 on the 25th, +07:00. */
export const Q1_DUE = '2015-03-24T17:00:00.000Z';
export const Q2_DUE = '2015-06-24T17:00:00.000Z';
