import { decideEstimate, type DecisionInput } from '../../../app/appraisal';
import { nfc } from '../../../app/text';
import { settingsFrom, withApp, type ConnectionFlags } from '../connection';
import { print, printJson, vnd } from '../output';
import { actorOf, type ProgramFlags } from '../commands/common';
import { resolveProgram } from './common';

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
  const decision: DecisionInput =
    chosen[0] === 'approve' ? { decision: 'approve' } : chosen[0] === 'adjust' ? { decision: 'adjust', amountVnd: opts.adjust!, reason: nfc(opts.reason!) } : { decision: 'return', reason: nfc(opts.return!) };
  const env = settingsFrom(opts);
  const est = await withApp(env, async (c) => {
    const def = await resolveProgram(c.db, opts);
    return decideEstimate(c, { program: def, year: opts.year, unitId: opts.unit, by: nfc(actorOf(opts.by)), ...decision });
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
