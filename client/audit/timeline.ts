import type { Db } from '../../infra/db/client';
import type { Program } from '../../domain/program/schema';
import type { CycleStatus } from '../../domain/cycle/schema';
import type { RoundSummary, ShardResult, StatusCounts } from '../../domain/round/schema';
import type { Audience } from '../../domain/round/audience';
import { receiptNotices } from '../../domain/round/receipt-notices';
import type { RecordSubmissionsRequest } from '../../activities/round-types';
import { localTime, percent, timeliness, vnd } from '../cli/output';
import { decodePayload, decodePayloads, eventId, eventTimeMs, type HistoryEvent, type History } from './history';

/**
 * A human timeline of one workflow run, read from its history alone: when it opened, every reminder,
 * overdue notice and escalation with its recipients and planned instant (the inputs of the `notify`
 * activity), every submission, extension and decision with who made it (the accepted Updates' payloads),
 * child rounds, and how it closed — in the program's local time. Recipients come from the database's
 * outbox when it has the rows, else from the program definition the history names.
 */

export interface TimelineEntry {
  at: number;
  eventId: number;
  kind: string;
  text: string;
  /** Indented lines under the entry (recipients, details). */
  details: string[];
}

export interface Timeline {
  workflowType: string;
  title: string;
  timeZone: string;
  entries: TimelineEntry[];
}

export interface Recipient {
  label: string;
  email: string;
}

/** Who a notification went to; `null` when this source does not know. */
export type RecipientSource = (req: NotifyInput) => Promise<Recipient[] | null>;

export interface NotifyInput {
  roundId: string;
  kind: string;
  step: number;
  unitIds: string[];
  roles?: string[];
  at: string;
}

/** Recipients as the notify activity addresses them, from the program definition. */
export function programRecipients(program: Program): RecipientSource {
  const units = new Map(program.units.map((u) => [u.id, u]));
  return async (req) => {
    const out: Recipient[] = [];
    const contact = (id: string, label = id) => {
      const u = units.get(id);
      if (u) out.push({ label, email: u.contact.email });
    };
    if (req.kind === 'escalation') {
      const roles = req.roles?.length ? req.roles : ['head'];
      if (roles.includes('head')) {
        for (const id of req.unitIds) {
          const u = units.get(id);
          if (u) out.push({ label: `${id} (head)`, email: u.head.email });
        }
      }
      if (roles.includes('coordinator')) contact(program.coordinator, `${program.coordinator} (coordinator)`);
      if (roles.includes('escalation-recipients')) {
        for (const r of program.escalationRecipients) {
          if (typeof r === 'string') contact(r, `${r} (escalation recipient)`);
          else out.push({ label: `${r.name ?? r.email} (escalation recipient)`, email: r.email });
        }
      }
      if (roles.includes('approving-authority')) contact(program.approvingAuthority, `${program.approvingAuthority} (approving authority)`);
    } else if (req.kind === 'closed') {
      contact(program.coordinator, `${program.coordinator} (coordinator)`);
    } else if (req.kind === 'compilation') {
      contact(program.approvingAuthority, `${program.approvingAuthority} (approving authority)`);
      for (const a of program.recipientsAbove) if (a.email) out.push({ label: a.name.vi, email: a.email });
    } else {
      for (const id of req.unitIds) contact(id);
    }
    const seen = new Set<string>();
    return out.filter((r) => (seen.has(`${r.label}|${r.email}`) ? false : (seen.add(`${r.label}|${r.email}`), true)));
  };
}

/** Recipients as the outbox recorded them (exactly who was told), or null when it has no such rows. */
export function outboxRecipients(db: Db): RecipientSource {
  return async (req) => {
    const rows = await db.notification.findMany({
      where: { roundId: req.roundId, kind: req.kind, step: String(req.step) },
      orderBy: { id: 'asc' },
    });
    const wanted = rows.filter((r) => r.unitId === null || req.unitIds.includes(r.unitId));
    if (!wanted.length) return null;
    const out: Recipient[] = [];
    for (const row of wanted) {
      const list = JSON.parse(row.recipients) as Array<{ email: string; role?: string | null; name?: string | null }>;
      for (const r of list) {
        const who = row.unitId ? `${row.unitId}${r.role && r.role !== 'reporting' ? ` (${r.role})` : ''}` : r.role ? `${r.name ?? r.role} (${r.role})` : (r.name ?? '');
        out.push({ label: who, email: r.email });
      }
    }
    return out;
  };
}

/** The first source that knows. */
export function firstKnown(...sources: Array<RecipientSource | undefined>): RecipientSource {
  return async (req) => {
    for (const source of sources) {
      if (!source) continue;
      try {
        const found = await source(req);
        if (found) return found;
      } catch {
        // e.g. a database without the outbox table: try the next source
      }
    }
    return null;
  };
}

const NOTICE: Record<string, (n: NotifyInput) => string> = {
  opened: (n) => `opening notice to ${plural(n.unitIds.length, 'unit')}`,
  'adhoc-announced': (n) => `ad hoc round announced to ${plural(n.unitIds.length, 'unit')}`,
  reminder: (n) => `reminder, ${plural(n.step, 'working day')} before the deadline, to ${plural(n.unitIds.length, 'unit')}`,
  overdue: (n) => `overdue: no report by the deadline from ${plural(n.unitIds.length, 'unit')}`,
  escalation: (n) => `escalation step ${n.step} (${(n.roles?.length ? n.roles : ['head']).join(', ')}) about ${plural(n.unitIds.length, 'unit')}`,
  receipt: (n) => `receipt (version ${n.step}) to ${n.unitIds.join(', ')}`,
  'late-receipt': (n) => `late receipt (version ${n.step}) to ${n.unitIds.join(', ')}`,
  extended: (n) => `extension notice to ${n.unitIds.join(', ')}`,
  closed: () => 'closing summary to the coordinator',
  'estimate-approved': (n) => `estimate approved: notice to ${n.unitIds.join(', ')}`,
  'estimate-adjusted': (n) => `estimate adjusted: notice to ${n.unitIds.join(', ')}`,
  'estimate-returned': (n) => `estimate returned for revision: notice to ${n.unitIds.join(', ')}`,
  'appraisal-summary': () => 'appraisal summary to the approving authority',
  'plan-approved': (n) => `plan approval announced to ${n.unitIds.length ? plural(n.unitIds.length, 'unit') : 'every reporting unit'}`,
  compilation: () => 'consolidated annual report sent up',
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function updateText(name: string, args: unknown[], result: { ok: true; value: unknown } | { ok: false; message: string } | undefined, zone: string): { kind: string; text: string } {
  const a = (args[0] ?? {}) as Record<string, string | undefined> & { units?: Record<string, unknown>; reminderOffsets?: number[] };
  const failed = result && !result.ok ? ` — failed: ${result.message}` : '';
  const value = result && result.ok ? (result.value as Record<string, unknown>) : undefined;
  switch (name) {
    case 'round.submitReport': {
      const receipt = value as { version?: number; onTime?: boolean; lateByMs?: number } | undefined;
      const outcome = receipt && receipt.onTime !== undefined ? `, ${timeliness({ onTime: receipt.onTime, lateByMs: receipt.lateByMs ?? 0 })}` : '';
      return {
        kind: 'submission',
        text:
          `submission${receipt?.version ? ` v${receipt.version}` : ''} from ${a.unitId} by ${a.submittedBy}: ${a.reference}` +
          (a.amountVnd ? `, estimate ${vnd(a.amountVnd)} VND` : '') +
          (a.note ? `, note "${a.note}"` : '') +
          outcome +
          failed,
      };
    }
    case 'round.extendDeadline':
      return { kind: 'extension', text: `extension for ${a.unitId} until ${localTime(a.until, zone)} granted by ${a.grantedBy}: ${a.reason}${failed}` };
    case 'cycle.submitEstimate':
    case 'estimates.submit':
      return { kind: 'estimate', text: `budget estimate from ${a.unitId} by ${a.submittedBy}: ${vnd(a.amountVnd)} VND${a.note ? `, note "${a.note}"` : ''}${failed}` };
    case 'cycle.decideEstimate':
    case 'estimates.decide': {
      const what =
        a.decision === 'approve' ? `approved the estimate of ${a.unitId}` : a.decision === 'adjust' ? `adjusted the estimate of ${a.unitId} to ${vnd(a.amountVnd)} VND: ${a.reason}` : `returned the estimate of ${a.unitId}: ${a.reason}`;
      return { kind: 'decision', text: `appraisal: ${a.decidedBy} ${what}${failed}` };
    }
    case 'cycle.approvePlan':
      return { kind: 'decision', text: `plan approved by ${a.approvedBy}${a.note ? ` ("${a.note}")` : ''}${failed}` };
    case 'cycle.startAdhocRound': {
      const units = a.units ? ('unitIds' in a.units ? (a.units.unitIds as string[]).join(', ') : 'category' in a.units ? `category ${String(a.units.category)}` : 'all reporting units') : '';
      const started = value && typeof value.roundId === 'string' ? ` → ${value.roundId}` : '';
      return { kind: 'adhoc', text: `ad hoc round "${a.title}" requested by ${a.startedBy} for ${units}, due before ${localTime(a.deadline, zone)}${started}${failed}` };
    }
    default:
      return { kind: 'update', text: `update ${name} ${JSON.stringify(args[0] ?? null)}${failed}` };
  }
}

function roundSummary(r: { counts?: StatusCounts | null; completionRate?: number | null; timelinessRate?: number | null } | undefined): string {
  if (!r?.counts) return '';
  const c = r.counts;
  const parts = [`${c.submitted} on time`, `${c.late} late`, `${c.missing} missing`];
  if (c['not-tracked']) parts.push(`${c['not-tracked']} not tracked`);
  return r.completionRate === undefined || r.completionRate === null
    ? parts.join(', ')
    : `${parts.join(', ')}; completion ${percent(r.completionRate)}, timeliness ${percent(r.timelinessRate ?? 0)}`;
}

function audienceText(a: Audience | undefined): string {
  if (!a) return '';
  if ('responsible' in a) return a.responsible === 'reporting-units' ? 'every reporting unit' : `the ${a.responsible}`;
  if ('all' in a) return 'every reporting unit';
  if ('category' in a) return `the units of category ${a.category}`;
  return a.unitIds.join(', ');
}

export interface TimelineOptions {
  recipients?: RecipientSource;
  /** The program named by a round's input, for recipients and the time zone. */
  /** The program a workflow ran with: by id and, when its input names one, the exact version (SHA-256). */
  programFor?: (programId: string, version?: string) => Promise<Program | null>;
}

/** Builds the timeline of one run from its history. */
export async function buildTimeline(history: History, options: TimelineOptions = {}): Promise<Timeline> {
  const events: HistoryEvent[] = history.events ?? [];
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error('the history does not start with WorkflowExecutionStarted');
  const workflowType = started.workflowType?.name ?? 'unknown';
  const input = (decodePayloads(started.input)[0] ?? {}) as Record<string, unknown>;
  let program: Program | null = null;
  let timeZone = 'Asia/Ho_Chi_Minh';
  let title = workflowType;
  const entries: TimelineEntry[] = [];
  const push = (e: HistoryEvent, kind: string, text: string, details: string[] = [], at = eventTimeMs(e)) => entries.push({ at, eventId: eventId(e), kind, text, details });

  const programOf = async (ref: { programId?: string; version?: string } | undefined) => (ref?.programId && options.programFor ? await options.programFor(ref.programId, ref.version) : null);
  if (workflowType === 'roundWorkflow') {
    const r = input as { roundId?: string; programRef?: { programId: string }; kind?: string; title?: { vi: string; en: string }; audience?: Audience; deadline?: string; rules?: { timeZone?: string } };
    timeZone = r.rules?.timeZone ?? timeZone;
    program = await programOf(r.programRef);
    title = `round ${r.roundId} — ${r.title?.vi ?? ''}${r.title && r.title.en !== r.title.vi ? ` / ${r.title.en}` : ''}`;
    push(events[0]!, 'opened', `round opened: ${r.kind}, for ${audienceText(r.audience)}, due before ${localTime(r.deadline, timeZone)}`);
  } else if (workflowType === 'roundShardWorkflow') {
    const r = input as { roundId?: string; shard?: number; rules?: { timeZone?: string } };
    timeZone = r.rules?.timeZone ?? timeZone;
    program = await programOf({ programId: r.roundId?.split(':')[0] });
    title = `round ${r.roundId}, shard ${r.shard}`;
    const carried = decodePayloads(started.input)[1] as { units?: Array<{ unitId: string }> } | undefined;
    if (carried) push(events[0]!, 'continued', `shard ${r.shard} continued (new run, the state of ${plural(carried.units?.length ?? 0, 'unit')} carried over)`);
    else push(events[0]!, 'opened', `shard ${r.shard} of round ${r.roundId} opened`);
  } else if (workflowType === 'estimatesWorkflow') {
    const g = input as { programRef?: { programId: string }; year?: number; group?: number };
    program = await programOf(g.programRef);
    timeZone = program?.timeZone ?? timeZone;
    title = `budget estimates ${g.programRef?.programId} ${g.year}, group ${g.group}`;
    push(events[0]!, 'opened', `budget estimates of ${g.year}, group ${g.group}`);
  } else if (workflowType === 'yearlyCycleWorkflow' || workflowType === 'programWorkflow') {
    const c = input as { programRef?: { programId: string; version?: string }; year?: number; fromYear?: number; carried?: { started?: number[]; runs?: number } };
    program = await programOf(c.programRef);
    timeZone = program?.timeZone ?? timeZone;
    const programId = c.programRef?.programId ?? program?.id ?? '?';
    // Without the definition the workflow ran with (another version than the database's or the file's), the
    // timeline still tells what happened, only not the program's period.
    const unknown = program ? [] : [`program definition ${c.programRef?.version?.slice(0, 12) ?? ''}… is not in the database nor given with --program`];
    if (workflowType === 'yearlyCycleWorkflow') {
      title = `cycle ${programId} ${c.year}`;
      push(events[0]!, 'opened', `cycle ${c.year} of ${programId} started`, unknown);
    } else {
      title = `program ${programId}`;
      // A run after the first (continue-as-new) carries what the earlier runs did.
      const what = c.carried ? `run ${(c.carried.runs ?? 0) + 1} of program ${programId}` : `program ${programId}`;
      const period = program ? ` (${program.period.firstYear}–${program.period.lastYear})` : '';
      const lastYear = program?.period.lastYear;
      const next =
        c.fromYear === undefined
          ? ''
          : lastYear !== undefined && c.fromYear > lastYear
            ? `; every year started (${(c.carried?.started ?? []).join(', ')}), waiting for their cycles to end`
            : c.carried && lastYear === undefined
              ? `; started so far: ${(c.carried.started ?? []).join(', ') || 'none'}, next year ${c.fromYear}`
              : ` at year ${c.fromYear}`;
      push(events[0]!, c.carried ? 'continued' : 'opened', `${what}${period} started${next}`, unknown);
    }
  } else {
    push(events[0]!, 'opened', `${workflowType} started`);
  }
  if (started.parentWorkflowExecution?.workflowId) entries[0]!.details.push(`started by ${started.parentWorkflowExecution.workflowId}`);
  const recipients = firstKnown(options.recipients, program ? programRecipients(program) : undefined);

  // Outcomes of updates and activities, to print next to the event that started them.
  const updateResults = new Map<string, { ok: true; value: unknown } | { ok: false; message: string }>();
  const activityResults = new Map<number, unknown>();
  const childByInitiated = new Map<number, string>();
  for (const e of events) {
    const done = e.workflowExecutionUpdateCompletedEventAttributes;
    if (done?.meta?.updateId) {
      const o = done.outcome;
      updateResults.set(done.meta.updateId, o?.failure ? { ok: false, message: o.failure.message ?? 'failed' } : { ok: true, value: decodePayloads(o?.success)[0] });
    }
    const ac = e.activityTaskCompletedEventAttributes;
    if (ac) activityResults.set(Number(ac.scheduledEventId), decodePayloads(ac.result)[0]);
    const child = e.startChildWorkflowExecutionInitiatedEventAttributes;
    if (child) childByInitiated.set(eventId(e), child.workflowId ?? '?');
  }

  async function pushNotice(e: HistoryEvent, n: NotifyInput): Promise<void> {
    const describe = NOTICE[n.kind] ?? ((x: NotifyInput) => `${x.kind} ${x.step} to ${x.unitIds.join(', ')}`);
    const who = (await recipients(n)) ?? n.unitIds.map((id) => ({ label: id, email: '' }));
    // Reminders, overdue notices and escalations carry their planned instant; the others happen when sent.
    const planned = n.kind === 'reminder' || n.kind === 'overdue' || n.kind === 'escalation';
    push(e, n.kind, describe(n), who.map((r) => `→ ${r.label}${r.email ? ` <${r.email}>` : ''}`), planned ? Date.parse(n.at) || eventTimeMs(e) : eventTimeMs(e));
  }

  for (const e of events.slice(1)) {
    const sched = e.activityTaskScheduledEventAttributes;
    if (sched) {
      const name = sched.activityType?.name;
      const arg = decodePayloads(sched.input)[0] as Record<string, unknown> | undefined;
      if (name === 'notify' && arg) {
        await pushNotice(e, arg as unknown as NotifyInput);
      } else if (name === 'recordSubmissions' && arg) {
        // Since 0.2.2 the write queues the receipts of the submissions it stores (marked `receipt`).
        const req = arg as unknown as RecordSubmissionsRequest;
        for (const n of receiptNotices((req.submissions ?? []).filter((s) => s.receipt))) await pushNotice(e, { roundId: req.roundId, ...n });
      } else if (name === 'notifyEscalationDigest' && arg) {
        const d = arg as { step: number; roles: string[]; dueAt: string; at: string };
        const res = activityResults.get(eventId(e)) as { units?: number } | undefined;
        const who = program ? (await recipients({ roundId: '', kind: 'escalation', step: d.step, roles: d.roles, unitIds: [], at: d.at } as NotifyInput)) ?? [] : [];
        push(
          e,
          'escalation',
          `escalation step ${d.step} to ${d.roles.join(' and ')}: ${res?.units === undefined ? 'the units still owing' : res.units === 0 ? 'no unit still owed its report (no mail)' : plural(res.units, 'unit') + ' still owing'} under the deadline ${localTime(d.dueAt, timeZone)}`,
          who.map((r) => `→ ${r.label}${r.email ? ` <${r.email}>` : ''}`),
          Date.parse(d.at) || eventTimeMs(e),
        );
      } else if (name === 'loadShard') {
        const units = (activityResults.get(eventId(e)) ?? []) as Array<{ unitId: string }>;
        push(e, 'opened', `shard opened with ${plural(units.length, 'unit')}`, [`units: ${units.map((u) => u.unitId).join(', ')}`]);
      } else if (name === 'openRound') {
        const res = activityResults.get(eventId(e)) as { unitCount?: number; shards?: number } | undefined;
        if (res) push(e, 'opened', `obligations written: ${plural(res.unitCount ?? 0, 'unit')} in ${plural(res.shards ?? 0, 'shard')}`);
      } else if (name === 'openCycle' && arg) {
        const rounds = (arg.rounds ?? []) as Array<{ state: string }>;
        push(e, 'cycle', `cycle opened with ${plural(rounds.length, 'round')} (${rounds.filter((r) => r.state === 'not-tracked').length} not tracked: their deadlines had passed)`);
      } else if (name === 'compileAnnualReport') {
        const res = activityResults.get(eventId(e)) as { reference?: string } | undefined;
        push(e, 'compilation', `annual report compiled${res?.reference ? `: ${res.reference}` : ''}`);
      }
      continue;
    }
    const acc = e.workflowExecutionUpdateAcceptedEventAttributes;
    if (acc) {
      const name = acc.acceptedRequest?.input?.name ?? '?';
      const args = decodePayloads(acc.acceptedRequest?.input?.args);
      const { kind, text } = updateText(name, args, updateResults.get(acc.acceptedRequest?.meta?.updateId ?? acc.protocolInstanceId ?? ''), timeZone);
      push(e, kind, text);
      continue;
    }
    const sig = e.workflowExecutionSignaledEventAttributes;
    if (sig) {
      const arg = decodePayloads(sig.input)[0] as { unitId?: string; reference?: string; by?: string } | undefined;
      if (sig.signalName === 'round.fulfilledByParent') push(e, 'submission', `fulfilled through the cycle for ${arg?.unitId} by ${arg?.by}: ${arg?.reference}`);
      else if (sig.signalName === 'estimates.appraisalOpened') push(e, 'signal', 'appraisal opened: the estimates that came with the plans are read from the database');
      else if (sig.signalName === 'estimates.appraisalClosed') push(e, 'signal', 'appraisal closed: estimates settle as they are');
      else if (sig.signalName === 'cycle.estimatesSettled') {
        const g = decodePayloads(sig.input)[0] as { group?: number; estimates?: Array<{ status: string }> };
        const counts = new Map<string, number>();
        for (const est of g.estimates ?? []) counts.set(est.status, (counts.get(est.status) ?? 0) + 1);
        push(e, 'decision', `estimate group ${g.group} settled: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'no estimates'}`);
      } else if (sig.signalName === 'program.cycleEnded') {
        const y = decodePayloads(sig.input)[0] as { year?: number; rounds?: number; closedRounds?: number; notTracked?: number; compilation?: string | null };
        push(e, 'child', `cycle ${y.year} ended: ${y.closedRounds} of ${y.rounds} rounds closed, ${y.notTracked} not tracked${y.compilation ? `; report ${y.compilation}` : ''}`);
      } else push(e, 'signal', `signal ${sig.signalName}${arg ? ` ${JSON.stringify(arg)}` : ''}`);
      continue;
    }
    const child = e.startChildWorkflowExecutionInitiatedEventAttributes;
    if (child) {
      push(e, 'child', `started ${child.workflowId}`);
      continue;
    }
    const childDone = e.childWorkflowExecutionCompletedEventAttributes;
    if (childDone) {
      const res = decodePayloads(childDone.result)[0] as (Partial<RoundSummary> & Partial<ShardResult> & Partial<Omit<CycleStatus, 'phase'>> & { phase?: string }) | undefined;
      const id = childDone.workflowExecution?.workflowId ?? childByInitiated.get(Number(childDone.initiatedEventId)) ?? '?';
      const summary = res?.counts ? roundSummary(res) : res?.phase ? `phase ${res.phase}${res.compilation ? `, report ${res.compilation.reference}` : ''}` : '';
      push(e, 'child', `${id} closed${summary ? `: ${summary}` : ''}`);
      continue;
    }
    const childFailed = e.childWorkflowExecutionFailedEventAttributes ?? e.childWorkflowExecutionTerminatedEventAttributes ?? e.childWorkflowExecutionTimedOutEventAttributes;
    if (childFailed) {
      push(e, 'child', `${childFailed.workflowExecution?.workflowId} ended without a result`);
      continue;
    }
    const completed = e.workflowExecutionCompletedEventAttributes;
    if (completed) {
      const res = decodePayloads(completed.result)[0] as (Partial<RoundSummary> & Partial<ShardResult> & Partial<Omit<CycleStatus, 'phase'>> & { state?: string }) | undefined;
      if (workflowType === 'roundWorkflow') push(e, 'closed', `round closed: ${roundSummary(res)}`);
      else if (workflowType === 'roundShardWorkflow') push(e, 'closed', `shard closed: ${roundSummary(res)}`, missingDetails(events));
      else if (workflowType === 'yearlyCycleWorkflow') {
        push(e, 'closed', `cycle done: ${plural(res?.rounds?.length ?? 0, 'round')}, plan ${res?.approval ? `approved by ${res.approval.approvedBy}` : 'not approved'}`);
      } else push(e, 'closed', `${workflowType} completed${res?.state ? ` (${res.state})` : ''}`);
      continue;
    }
    if (e.workflowExecutionContinuedAsNewEventAttributes) {
      push(e, 'continued', 'continued as new (the next run carries the state on)');
      continue;
    }
    const failed = e.workflowExecutionFailedEventAttributes;
    if (failed) push(e, 'failed', `failed: ${failed.failure?.message}`);
    if (e.workflowExecutionTerminatedEventAttributes) push(e, 'terminated', `terminated: ${e.workflowExecutionTerminatedEventAttributes.reason ?? ''}`);
    if (e.workflowExecutionTimedOutEventAttributes) push(e, 'timed-out', 'timed out');
    if (e.workflowExecutionCanceledEventAttributes) push(e, 'cancelled', 'cancelled');
  }
  // Stable: planned instants may precede the event that sent them by a few ms; keep history order on ties.
  entries.sort((a, b) => a.at - b.at || a.eventId - b.eventId);
  return { workflowType, title, timeZone, entries };
}

/** The units a shard found missing when it closed (the input of its closeShard activity). */
function missingDetails(events: HistoryEvent[]): string[] {
  for (const e of events) {
    const sched = e.activityTaskScheduledEventAttributes;
    if (sched?.activityType?.name !== 'closeShard') continue;
    const missing = (decodePayloads(sched.input)[0] as { missing?: string[] } | undefined)?.missing ?? [];
    return missing.length ? [`missing: ${missing.join(', ')}`] : [];
  }
  return [];
}

/**
 * One story from several histories read together (a round and its shards): every entry in time order,
 * each shard's entries marked with its shard number. The first history gives the title and zone.
 */
export function mergeTimelines(timelines: Timeline[]): Timeline {
  const [first, ...rest] = timelines;
  if (!first) throw new Error('no timeline to merge');
  const entries = [...first.entries];
  for (const t of rest) {
    const shard = /shard (\d+)$/.exec(t.title)?.[1];
    for (const e of t.entries) entries.push({ ...e, text: shard ? `[shard ${shard}] ${e.text}` : e.text });
  }
  entries.sort((a, b) => a.at - b.at);
  return { ...first, entries };
}

/** The timeline as text: one line per entry, local time first, details indented under it. */
export function renderTimeline(t: Timeline, options: { maxDetails?: number } = {}): string {
  const max = options.maxDetails ?? Infinity;
  const lines = [`${t.title}`, `times in ${t.timeZone}`, ''];
  for (const e of t.entries) {
    lines.push(`${localTime(e.at, t.timeZone)}  ${e.text}`);
    const shown = e.details.slice(0, max);
    for (const d of shown) lines.push(`                      ${d}`);
    if (e.details.length > shown.length) lines.push(`                      … and ${e.details.length - shown.length} more`);
  }
  return lines.join('\n') + '\n';
}

export { decodePayload };
