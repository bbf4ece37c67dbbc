import { WorkflowNotFoundError } from '@temporalio/client';
import { DecideEstimate } from '../../../domain/cycle/schema';
import { describeZodError } from '../../../domain/round/schema';
import { cycleWorkflowId } from '../../../workflows/ids';
import { AppraisalOverError, decideEstimate, estimatesWorkflowOf } from '../../estimates';
import { settingsFrom, withDatabase, withTemporal, type ConnectionFlags } from '../connection';
import { print, printJson, vnd } from '../output';
import { actorOf, type ProgramFlags } from '../commands/common';
import { answerWithin, explainWorkflowError, requireUnit, resolveProgram } from './common';

export interface AppraiseFlags extends ConnectionFlags, ProgramFlags {
  year: number;
  unit: string;
  approve?: boolean;
  adjust?: string;
  return?: string;
  reason?: string;
  by?: string;
  json?: boolean;
}

/** `kybao appraise`: the appraiser approves, adjusts or returns a unit's budget estimate for a year. */
export async function appraise(opts: AppraiseFlags): Promise<void> {
  const chosen = [opts.approve ? 'approve' : null, opts.adjust !== undefined ? 'adjust' : null, opts.return !== undefined ? 'return' : null].filter(Boolean);
  if (chosen.length !== 1) throw new Error('give exactly one of --approve, --adjust AMOUNT --reason TEXT, --return REASON');
  if (chosen[0] === 'adjust' && !opts.reason) throw new Error('--adjust needs --reason TEXT (why the amount changes)');
  if (chosen[0] !== 'adjust' && opts.reason) throw new Error('--reason goes with --adjust; a return takes its reason as --return REASON');
  const env = settingsFrom(opts);
  const def = await withDatabase(env, (db) => resolveProgram(db, opts));
  requireUnit(def, opts.unit);
  const decidedBy = actorOf(opts.by);
  const raw =
    chosen[0] === 'approve'
      ? { decision: 'approve', unitId: opts.unit, decidedBy }
      : chosen[0] === 'adjust'
        ? { decision: 'adjust', unitId: opts.unit, decidedBy, amountVnd: opts.adjust, reason: opts.reason }
        : { decision: 'return', unitId: opts.unit, decidedBy, reason: opts.return };
  const parsed = DecideEstimate.safeParse(raw);
  if (!parsed.success) throw new Error(describeZodError(parsed.error));
  const workflowId = estimatesWorkflowOf(def, opts.year, opts.unit);
  const est = await withTemporal(env, async (client) => {
    try {
      return (await answerWithin(decideEstimate(client, def, opts.year, parsed.data), workflowId)).estimate;
    } catch (err) {
      if (err instanceof AppraisalOverError) throw new Error(`the decision was refused: ${err.message}`, { cause: err });
      // Not found even as a cycle of the time before estimate groups: the year has no cycle running.
      throw explainWorkflowError(err, err instanceof WorkflowNotFoundError ? cycleWorkflowId(def.id, opts.year) : workflowId, 'the decision was');
    }
  });
  if (opts.json) return printJson(est);
  const what =
    est.status === 'approved'
      ? `approved ${vnd(est.approvedAmountVnd)} VND`
      : est.status === 'adjusted'
        ? `adjusted to ${vnd(est.approvedAmountVnd)} VND (asked ${vnd(est.amountVnd)})`
        : `returned for revision (return ${est.returns}); the unit has 5 working days to resubmit`;
  print(`estimate of ${est.unitId} for ${opts.year}, version ${est.version}: ${what}`);
}
