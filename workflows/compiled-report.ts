import { ApplicationFailure, allHandlersFinished, condition, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CompilationActivities } from '../activities/compilation';
import type { CompiledReportActivities } from '../activities/compiled-report';
import {
  compiledReportInputSchema,
  editReportRequestSchema,
  issueReportRequestSchema,
  recompileReportRequestSchema,
  type CompiledReportInput,
  type CompiledReportStatus,
} from '../domain/compilation/obligation';
import { formatInstant } from '../domain/calendar/notices';
import { describeZodError } from '../domain/round/schema';
import { planActions } from '../domain/round/plan';
import { REPORT_REFUSED, editReportUpdate, issueReportUpdate, recompileReportUpdate, reportStatusQuery } from './compiled-report-messages';
import { NON_RETRYABLE } from './retry';

export { editReportUpdate, issueReportUpdate, recompileReportUpdate, reportStatusQuery } from './compiled-report-messages';

/**
 * A compiled report as the coordinator's obligation towards UBND tỉnh and the Ministry (Decision 925,
 * Art. 2.1; issue #15). A round's report is started by the round when its close compilation stored the
 * draft; the year's report and the reviews' (sơ kết, tổng kết) by the cycle at its end.
 *
 * The procedure: read when the report is due (the round's deadline + `compilation.issueWithinWorkingDays`
 * working days; for a year or a review, 31 December of its last year + `compilation.yearReport` /
 * `reviewReport.issueWithinWorkingDays`: domain/compilation/obligation.ts; fixed in the database the
 * first time) and the program's notice rules; until it is issued,
 * remind the coordinator at the program's reminder offsets (working days before, 08:00 local), tell it at
 * the due instant that the report is overdue, and escalate at each of the program's escalation steps (its
 * head, then the UBND office). Meanwhile the coordinator edits the draft's texts, recompiles it, and
 * issues it with its register number, through Updates. Once issued: render the issued documents, send
 * them to the coordinator and the report's addressees (`compilation.sendTo` / `copyTo`), and complete.
 *
 * Writes are Updates with validators. A validator and its handler are not one atomic step: the handler
 * waits on an activity, and another Update may be validated meanwhile. So each handler reserves the report
 * (`busy`) before its first await, and every validator refuses while it is reserved: of two coordinators
 * issuing at once, exactly one issues and the other is told why not.
 */
const acts = proxyActivities<CompiledReportActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: [...NON_RETRYABLE, REPORT_REFUSED] },
});

/** Recompiling and rendering: the same settings as the round's close compilation, but retried until it works (nothing else waits on it). */
const compilation = proxyActivities<CompilationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: [...NON_RETRYABLE, 'CompilationInputError'] },
});

/** An instant to the second: a register's issue time is read and printed in whole seconds, never milliseconds. */
function wholeSeconds(epochMs: number): number {
  return Math.floor(epochMs / 1000) * 1000;
}

function refuse(message: string): never {
  throw ApplicationFailure.create({ type: REPORT_REFUSED, message, nonRetryable: true });
}

/** An activity's refusal (ReportRefused: number taken, issued meanwhile) as the Update's own refusal, with the repository's words. */
function passOnRefusal(err: unknown): never {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof ApplicationFailure && cause.type === REPORT_REFUSED) refuse(cause.message);
  throw err;
}

export async function compiledReportWorkflow(rawInput: CompiledReportInput): Promise<CompiledReportStatus> {
  const parsed = compiledReportInputSchema.safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid compiled report input: ${describeZodError(parsed.error)}`);
  const input = parsed.data;
  const status: CompiledReportStatus = {
    reportId: input.reportId,
    roundId: 'roundId' in input ? input.roundId : null,
    phase: 'planning',
    dueAt: null,
    revision: 0,
    number: null,
    issuedAt: null,
    busy: null,
    notices: [],
    documents: null,
  };
  setHandler(reportStatusQuery, () => status);
  // The program's zone, for instants people read (+07:00); known once planned, before any write is accepted.
  let zone = 'UTC';
  const local = (instant: string) => formatInstant(Date.parse(instant), zone);

  /** Refuses any write unless the report is a draft that nobody is changing right now. */
  const mayWrite = (what: 'edited' | 'issued' | 'recompiled') => {
    if (status.phase === 'planning') refuse(`report ${input.reportId} is still being set up; try again in a few seconds`);
    if (status.phase !== 'draft') {
      refuse(`report ${input.reportId} was already issued as number ${String(status.number)} on ${String(status.issuedAt)}; an issued report cannot be ${what === 'issued' ? 'issued again' : what}`);
    }
    if (status.busy === 'issue') refuse(`report ${input.reportId} is being issued right now; it cannot be ${what} meanwhile`);
    if (status.busy) refuse(`report ${input.reportId} is being ${status.busy === 'edit' ? 'edited' : 'recompiled'} right now; try again when that is done`);
  };

  setHandler(
    editReportUpdate,
    async (request) => {
      const edits = editReportRequestSchema.parse(request);
      status.busy = 'edit';
      try {
        const done = await acts
          .editCompiledReportDraft({ reportId: input.reportId, ...edits, at: new Date(Date.now()).toISOString() })
          .catch(passOnRefusal);
        status.revision = done.revision;
        return status;
      } finally {
        status.busy = null;
      }
    },
    {
      validator: (request) => {
        mayWrite('edited');
        const r = editReportRequestSchema.safeParse(request);
        if (!r.success) refuse(`the edit was not valid: ${describeZodError(r.error)}`);
      },
    },
  );

  setHandler(
    recompileReportUpdate,
    async (request) => {
      recompileReportRequestSchema.parse(request);
      status.busy = 'recompile';
      try {
        const compiledAt = new Date(Date.now()).toISOString();
        // A round's report over its round; a year's over the year; a review's over its years.
        const files =
          'roundId' in input
            ? await compilation.compileRoundReport({ programId: input.programId, roundId: input.roundId, compiledAt })
            : input.scope.kind === 'year'
              ? await compilation.compileYearReport({ programId: input.programId, year: input.scope.year, compiledAt })
              : await compilation.compileReviewReport({ programId: input.programId, review: input.scope.review, fromYear: input.scope.fromYear, toYear: input.scope.toYear, compiledAt });
        status.revision = files.revision;
        return status;
      } finally {
        status.busy = null;
      }
    },
    {
      validator: (request) => {
        mayWrite('recompiled');
        const r = recompileReportRequestSchema.safeParse(request);
        if (!r.success) refuse(`the recompile request was not valid: ${describeZodError(r.error)}`);
      },
    },
  );

  setHandler(
    issueReportUpdate,
    async (request) => {
      const r = issueReportRequestSchema.parse(request);
      status.busy = 'issue';
      try {
        const issued = await acts
          .issueCompiledReportDraft({ reportId: input.reportId, number: r.number, signer: r.signer, by: r.by, issuedAt: r.issuedAt ?? formatInstant(wholeSeconds(Date.now()), zone) })
          .catch(passOnRefusal);
        Object.assign(status, { phase: 'issued', number: issued.number, issuedAt: local(issued.issuedAt), revision: issued.revision });
        return status;
      } finally {
        status.busy = null;
      }
    },
    {
      validator: (request) => {
        mayWrite('issued');
        const r = issueReportRequestSchema.safeParse(request);
        if (!r.success) refuse(`the issue request was not valid: ${describeZodError(r.error)}`);
      },
    },
  );

  const plan = await acts.planCompiledReport({ reportId: input.reportId });
  const dueMs = Date.parse(plan.dueAt);
  zone = plan.rules.timeZone;
  Object.assign(status, { dueAt: plan.dueAt, revision: plan.revision, number: plan.number, issuedAt: plan.issuedAt && local(plan.issuedAt), phase: plan.status });

  // Reminders, the overdue notice and the escalations, in time order, until the report is issued. Of those
  // already due when the workflow starts, only the latest goes out, at once: the round closes at its last
  // escalation, which may be the instant of the report's first reminder; a workflow started late (by hand)
  // does not send a row of stale reminders.
  const startedAt = Date.now();
  const actions = planActions(dueMs, plan.rules);
  const latestDue = actions.filter((a) => a.at <= startedAt).at(-1);
  for (const action of actions.filter((a) => a.at > startedAt || a === latestDue)) {
    // A timer of at least 1 ms: the time-skipping server refuses a timer of 0.
    const issued = await condition(() => status.phase !== 'draft', Math.max(1, action.at - Date.now()));
    if (issued) break;
    const at = formatInstant(action.at, zone);
    await acts.notifyCompiledReport({ reportId: input.reportId, kind: action.kind, step: action.step, at, ...(action.kind === 'escalation' ? { roles: action.roles } : {}) });
    status.notices.push({ key: action.key, kind: action.kind, step: action.step, at });
  }
  // After the last escalation nothing is planned: the report waits for the coordinator, however late.
  await condition(() => status.phase !== 'draft');
  // An issue still being handled has set the phase; let it answer before the documents are rendered.
  await condition(allHandlersFinished);

  const documents = await compilation.renderCompiledReport({ id: input.reportId });
  status.documents = documents;
  const at = status.issuedAt ?? formatInstant(wholeSeconds(Date.now()), zone);
  await acts.notifyCompiledReport({ reportId: input.reportId, kind: 'issued', step: status.number ?? 0, at, documents });
  status.notices.push({ key: 'issued', kind: 'issued', step: status.number ?? 0, at });
  status.phase = 'completed';
  log.info('compiled report issued and sent', { reportId: input.reportId, number: status.number });
  return status;
}
