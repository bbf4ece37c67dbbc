import { DateTime } from 'luxon';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { currentProgramRef, loadProgram } from '../../../infra/db/program-repository';
import { loadProgramFile } from '../../../domain/program/load-file';
import type { Program } from '../../../domain/program/schema';
import { programStatusQuery, programWorkflow, type ProgramStatus } from '../../../workflows/program';
import { cycleWorkflowId, programWorkflowId } from '../../../workflows/ids';
import { settingsFrom, withDatabase, withTemporal, type ConnectionFlags } from '../connection';
import { localTime, note, percent, print, printJson, table } from '../output';
import { actorOf, type ProgramFlags } from '../commands/common';
import { resolveProgram } from './common';
import { cycleStatusOf, roundKeyOf, withTimeout, workflowState } from './status';

export interface LoadProgramFlags extends ConnectionFlags {
  by?: string;
  json?: boolean;
}

/** `kybao program load [FILE]`: validate and load into the database (idempotent). */
export async function loadProgramCommand(file: string, opts: LoadProgramFlags): Promise<void> {
  const def = loadProgramFile(file);
  const env = settingsFrom(opts);
  const result = await withDatabase(env, (db) => loadProgram(db, def, { actor: actorOf(opts.by) }));
  if (opts.json) return printJson(result);
  const what = result.created ? 'loaded' : result.changed ? 'updated' : 'unchanged';
  print(
    `program ${result.programId} ${what}: ${result.units} units (${result.activeUnits} active), ${result.contacts} contacts, ${result.tasks} tasks` +
      (result.deactivatedUnits.length ? `; no longer listed (now inactive): ${result.deactivatedUnits.join(', ')}` : ''),
  );
}

export interface StartProgramFlags extends ConnectionFlags {
  program: string;
  fromYear?: number;
  by?: string;
  json?: boolean;
}

/** `kybao program start`: load the program and start program:<id>. */
export async function startProgram(opts: StartProgramFlags): Promise<void> {
  const def = loadProgramFile(opts.program);
  if (opts.fromYear !== undefined && (opts.fromYear < def.period.firstYear || opts.fromYear > def.period.lastYear)) {
    throw new Error(`--from-year ${opts.fromYear} is outside the period ${def.period.firstYear}–${def.period.lastYear} of program ${def.id}`);
  }
  const env = settingsFrom(opts);
  // The workflows carry a reference to the stored definition (its sha256), never the definition itself.
  const programRef = await withDatabase(env, async (db) => {
    await loadProgram(db, def, { actor: actorOf(opts.by) });
    return (await currentProgramRef(db, def.id))!;
  });
  const workflowId = programWorkflowId(def.id);
  const started = await withTemporal(env, async (client) => {
    try {
      const handle = await client.workflow.start(programWorkflow, {
        taskQueue: env.KYBAO_TASK_QUEUE,
        workflowId,
        args: [{ programRef, ...(opts.fromYear !== undefined ? { fromYear: opts.fromYear } : {}) }],
      });
      return { workflowId, runId: handle.firstExecutionRunId };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new Error(`program ${def.id} is already running as ${workflowId}; see "kybao program status"`, { cause: err });
      }
      throw err;
    }
  });
  if (opts.json) return printJson({ ...started, programId: def.id, fromYear: opts.fromYear ?? null });
  print(`started ${started.workflowId} (run ${started.runId}) for ${def.period.firstYear}–${def.period.lastYear}${opts.fromYear ? ` from ${opts.fromYear}` : ''}`);
}

export interface ProgramStatusFlags extends ConnectionFlags, ProgramFlags {
  json?: boolean;
}

/** `kybao program status`: the program workflow, its years and the current cycle. */
export async function programStatus(opts: ProgramStatusFlags): Promise<void> {
  const env = settingsFrom(opts);
  const def: Program = await withDatabase(env, (db) => resolveProgram(db, opts));
  const out = await withTemporal(env, async (client) => {
    const handle = client.workflow.getHandle(programWorkflowId(def.id));
    const state = await workflowState(handle);
    if (state === null) throw new Error(`program ${def.id} has no workflow (${programWorkflowId(def.id)}); start it with "kybao program start"`);
    let status: ProgramStatus;
    if (state === 'RUNNING') status = await withTimeout(handle.query(programStatusQuery), `querying ${handle.workflowId}`);
    else if (state === 'COMPLETED') status = (await handle.result()) as ProgramStatus;
    else throw new Error(`${handle.workflowId} ended as ${state.toLowerCase()}; see "kybao audit timeline ${handle.workflowId}"`);
    // Two cycles overlap at the turn of the year (planning the next while reporting on this one): show
    // this calendar year's, or else the newest.
    const thisYear = DateTime.now().setZone(def.timeZone).year;
    const currentYear = status.started.includes(thisYear) ? thisYear : (status.started[status.started.length - 1] ?? null);
    const current = currentYear === null ? null : await cycleStatusOf(client, def, currentYear);
    return { workflowId: handle.workflowId, state: state.toLowerCase(), status, current: current ? { ...current.status, running: current.running } : null };
  });
  if (opts.json) return printJson(out);
  const { status } = out;
  const lines = [
    `${out.workflowId}: ${out.state}${status.run ? ` (run ${status.run})` : ''}; ${status.period.firstYear ? `period ${status.period.firstYear}–${status.period.lastYear}` : 'period not read yet'}; ${status.state === 'done' ? 'every year done' : status.started.length ? `cycles started ${status.started.join(', ')}` : `next year ${status.nextYear}`}`,
  ];
  // Programs recorded before the program continued as new do not say which years ended.
  const ended = (status.ended ?? []).map((e) => e.year).sort((a, b) => a - b);
  if (status.state !== 'done' && ended.length) lines.push(`years ended: ${ended.join(', ')}${status.nextYear ? `; next year ${status.nextYear}` : ''}`);
  if (status.final) {
    const y = status.final;
    lines.push('', `final year ${y.year}: ${y.closedRounds} of ${y.rounds} rounds closed, ${y.notTracked} not tracked${y.compilation ? `; report ${y.compilation}` : ''}`);
  }
  if (out.current) {
    const c = out.current;
    lines.push('', `${cycleWorkflowId(def.id, c.year)}: phase ${c.phase}${c.approval ? `, plan approved by ${c.approval.approvedBy}` : ''}`);
    lines.push(
      table(
        ['round', 'kind', 'deadline', 'state', 'progress'],
        c.rounds.map((r) => [
          roundKeyOf(r.roundId, c.year),
          r.kind,
          localTime(r.deadline, def.timeZone),
          r.state,
          r.counts ? `${(r.counts.submitted ?? 0) + (r.counts.late ?? 0)} in (${percent(r.completionRate)}), ${r.counts.missing ?? 0} missing` : '',
        ]),
      ),
    );
    if (c.estimateGroups.count) lines.push(`estimate groups: ${c.estimateGroups.settled} of ${c.estimateGroups.count} settled`);
  } else if (status.state === 'running') {
    note(`the cycle of ${status.nextYear} has not started yet`);
  }
  print(lines.join('\n'));
}
