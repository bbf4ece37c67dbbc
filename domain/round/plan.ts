import type { EscalationRole } from '../program/schema';
import { planNotices, type NoticeRules } from '../calendar/notices';

/**
 * Everything a round does for one unit around its deadline, as keyed actions. The key names the action
 * independently of the deadline ("reminder-3", "escalation-1"), so after an extension an action already
 * taken is never taken again while the ones still ahead move with the new deadline.
 */
export interface PlannedAction {
  key: string;
  kind: 'reminder' | 'overdue' | 'escalation';
  /** Working days before (reminder) or the 1-based escalation step; 0 for the overdue notice. */
  step: number;
  at: number;
  roles: EscalationRole[];
}

export function planActions(dueAt: number, rules: NoticeRules): PlannedAction[] {
  const plan = planNotices(dueAt, rules);
  const actions: PlannedAction[] = [
    ...plan.reminders.map((r) => ({ key: `reminder-${r.offsetWorkingDays}`, kind: 'reminder' as const, step: r.offsetWorkingDays, at: r.atMs, roles: [] })),
    { key: 'overdue', kind: 'overdue', step: 0, at: dueAt, roles: [] },
    ...plan.escalations.map((e) => ({ key: `escalation-${e.step}`, kind: 'escalation' as const, step: e.step, at: e.atMs, roles: e.recipients })),
  ];
  return actions.sort((a, b) => a.at - b.at);
}
