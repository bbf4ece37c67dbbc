import { type Command, Option } from 'commander';
import { DateTime } from 'luxon';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { getRound } from '../../../infra/db/round-repository';
import { adhocRoundInput, resolveAdhocUnits, StartAdhocRound } from '../../../domain/round/adhoc';
import { describeZodError } from '../../../domain/round/schema';
import { startAdhocRoundUpdate } from '../../../workflows/cycle';
import { cycleWorkflowId, roundWorkflowId } from '../../../workflows/ids';
import { roundWorkflow } from '../../../workflows/round';
import { settingsFrom, withConnectionOptions, withDatabase, withTemporal, type ConnectionFlags } from '../connection';
import { lastDay, localTime, print, printJson } from '../output';
import {
  actorOf,
  addProgramOptions,
  byOption,
  answerWithin,
  explainWorkflowError,
  parseDeadline,
  parseList,
  parseOffsets,
  resolveProgram,
  type ProgramFlags,
} from './common';
import { workflowState } from './status';

interface AdhocFlags extends ConnectionFlags, ProgramFlags {
  title: string;
  deadline: string;
  units?: string[];
  category?: string;
  reminders?: number[];
  subject?: string;
  by?: string;
  standalone?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const round = program.command('round').description('Reporting rounds started by hand');
  const adhoc = round
    .command('adhoc')
    .description(
      "Start an ad hoc (đột xuất) round: through the running cycle of the deadline's year, or as a round of its own when no cycle runs",
    )
    .requiredOption('--title <TEXT>', 'what the units must report on')
    .requiredOption('--deadline <DATE>', 'YYYY-MM-DD (due before 00:00 that day, program time zone) or an ISO instant with offset')
    .addOption(new Option('--units <IDS>', 'comma-separated unit ids').argParser(parseList).conflicts('category'))
    .addOption(new Option('--category <CATEGORY>', 'every unit of a category (department, district, socio-political, press, other)'))
    .addOption(new Option('--reminders <DAYS>', 'reminders this many working days before the deadline, e.g. 5,2,1 (default: the program’s)').argParser(parseOffsets))
    .option('--subject <TEXT>', 'a longer description sent with the announcement')
    .option('--standalone', 'start a round of its own even when a cycle runs')
    .addOption(byOption('starts it'))
    .option('--json', 'print JSON');
  addProgramOptions(adhoc);
  withConnectionOptions(adhoc).action(async (opts: AdhocFlags) => {
    const env = settingsFrom(opts);
    const out = await withDatabase(env, async (db) => {
      const def = await resolveProgram(db, opts);
      const deadline = parseDeadline(opts.deadline, def.timeZone, '--deadline');
      const units = opts.units ? { unitIds: opts.units } : opts.category ? { category: opts.category } : { all: true as const };
      const parsed = StartAdhocRound.safeParse({
        title: opts.title,
        ...(opts.subject ? { subject: opts.subject } : {}),
        units,
        deadline,
        ...(opts.reminders ? { reminderOffsets: opts.reminders } : {}),
        startedBy: actorOf(opts.by),
      });
      if (!parsed.success) throw new Error(describeZodError(parsed.error));
      const request = parsed.data;
      const resolved = resolveAdhocUnits(def, request.units);
      if ('problem' in resolved) throw new Error(resolved.problem);
      const year = DateTime.fromISO(deadline, { zone: def.timeZone }).year;

      return withTemporal(env, async (client) => {
        const cycle = client.workflow.getHandle(cycleWorkflowId(def.id, year));
        if (!opts.standalone && (await workflowState(cycle)) === 'RUNNING') {
          try {
            const r = await answerWithin(cycle.executeUpdate(startAdhocRoundUpdate, { args: [request] }), cycle.workflowId);
            return { ...r, via: cycle.workflowId, deadline, timeZone: def.timeZone };
          } catch (err) {
            throw explainWorkflowError(err, cycle.workflowId, 'the ad hoc round was');
          }
        }
        // No cycle for that year: a round of its own, keyed apart from the cycle's own ad hoc rounds.
        for (let n = 1; n < 1000; n++) {
          const key = `${year}-adhoc-s${n}`;
          const input = adhocRoundInput(def, year, key, request, resolved.unitIds);
          const workflowId = roundWorkflowId(input.roundId);
          if (await getRound(db, input.roundId)) continue;
          if ((await workflowState(client.workflow.getHandle(workflowId))) !== null) continue;
          try {
            await client.workflow.start(roundWorkflow, { taskQueue: env.KYBAO_TASK_QUEUE, workflowId, args: [input] });
          } catch (err) {
            if (err instanceof WorkflowExecutionAlreadyStartedError) continue;
            throw err;
          }
          return { roundId: input.roundId, workflowId, unitIds: resolved.unitIds, via: 'standalone', deadline, timeZone: def.timeZone };
        }
        throw new Error(`too many standalone ad hoc rounds in ${year}`);
      });
    });
    const { timeZone, ...result } = out;
    if (opts.json) return printJson(result);
    print(
      `started ad hoc round ${out.roundId} (workflow ${out.workflowId}, ${out.via === 'standalone' ? 'standalone' : `in ${out.via}`}) for ${out.unitIds.length} unit(s), due before ${localTime(out.deadline, timeZone)} (last day: ${lastDay(out.deadline, timeZone)})`,
    );
  });
}
