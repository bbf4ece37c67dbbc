import { DateTime } from 'luxon';
import type { NotificationKind } from '../round-types';

/**
 * Subject and bodies of a notification. A first, code-side rendering so every notification the
 * workflows record carries readable content; operator-editable templates replace it (issue #5).
 */
export interface NotificationContext {
  kind: NotificationKind;
  step: number;
  language: 'vi' | 'en';
  timeZone: string;
  roundId: string;
  roundTitle: { vi: string; en: string };
  unitName?: string;
  units?: Array<{ id: string; name: string; status?: string }>;
  dueAt?: string;
  detail?: string;
  link: string;
}

const SUBJECTS: Record<NotificationKind, { vi: string; en: string }> = {
  opened: { vi: 'Mở kỳ báo cáo', en: 'Reporting round opened' },
  'adhoc-announced': { vi: 'Yêu cầu báo cáo đột xuất', en: 'Ad hoc report requested' },
  reminder: { vi: 'Nhắc hạn nộp báo cáo', en: 'Reminder: report due' },
  overdue: { vi: 'Quá hạn nộp báo cáo', en: 'Report overdue' },
  escalation: { vi: 'Báo cáo chậm nộp', en: 'Escalation: report not received' },
  receipt: { vi: 'Xác nhận đã nhận báo cáo', en: 'Report received' },
  'late-receipt': { vi: 'Xác nhận đã nhận báo cáo (nộp muộn)', en: 'Report received (late)' },
  extended: { vi: 'Gia hạn nộp báo cáo', en: 'Deadline extended' },
  closed: { vi: 'Kết quả kỳ báo cáo', en: 'Round closed: results' },
  'estimate-approved': { vi: 'Dự toán được chấp thuận', en: 'Budget estimate approved' },
  'estimate-adjusted': { vi: 'Dự toán được điều chỉnh', en: 'Budget estimate adjusted' },
  'estimate-returned': { vi: 'Dự toán bị trả lại để hoàn thiện', en: 'Budget estimate returned for revision' },
  'appraisal-summary': { vi: 'Tổng hợp thẩm định dự toán', en: 'Budget appraisal summary' },
  'plan-approved': { vi: 'Kế hoạch năm đã được phê duyệt', en: 'Annual plan approved' },
  compilation: { vi: 'Báo cáo tổng hợp năm', en: 'Annual consolidated report' },
};

export function renderNotification(ctx: NotificationContext): { subject: string; text: string; html: string } {
  const lang = ctx.language;
  const title = ctx.roundTitle[lang];
  const subject = `[kybao] ${SUBJECTS[ctx.kind][lang]}: ${title}`;
  const lines: string[] = [];
  if (ctx.unitName) lines.push(lang === 'vi' ? `Đơn vị: ${ctx.unitName}` : `Unit: ${ctx.unitName}`);
  lines.push(lang === 'vi' ? `Kỳ báo cáo: ${title}` : `Round: ${title}`);
  if (ctx.dueAt) {
    const due = DateTime.fromISO(ctx.dueAt, { zone: ctx.timeZone }).setLocale(lang === 'vi' ? 'vi' : 'en-GB');
    lines.push(lang === 'vi' ? `Hạn nộp: trước ${due.toFormat('HH:mm, cccc dd/MM/yyyy')}` : `Due: before ${due.toFormat('HH:mm, cccc d LLLL yyyy')}`);
  }
  if (ctx.kind === 'reminder') lines.push(lang === 'vi' ? `Còn ${ctx.step} ngày làm việc.` : `${ctx.step} working day(s) left.`);
  if (ctx.detail) lines.push(ctx.detail);
  for (const u of ctx.units ?? []) lines.push(`- ${u.name}${u.status ? ` (${u.status})` : ''}`);
  lines.push(lang === 'vi' ? `Nộp/xem tại: ${ctx.link}` : `Submit or view at: ${ctx.link}`);
  const text = lines.join('\n') + '\n';
  const html = `<!doctype html><html><body>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`;
  return { subject, text, html };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
