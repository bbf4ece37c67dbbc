/**
 * Programs in the database: the validated definition (domain/program) plus the rows queries need —
 * units, their contacts, focal tasks and the units behind each task's lead and coordinating references.
 *
 * loadProgram is an idempotent upsert keyed by the program's own ids: loading the same definition twice
 * leaves the same rows (the second load is a no-op); loading a changed definition updates rows in place,
 * replaces contacts and tasks, and marks units the definition no longer lists as inactive (they keep
 * their history: obligations, estimates).
 */
import { createHash } from 'node:crypto';
import type { Program } from '../../domain/program/schema';
import { unitsOf } from '../../domain/program/resolve';
import { appendAudit } from './audit-repository';
import type { DbClient, Instant } from './shared';
import { fromJsonText, inTransaction, iso, toDate, toJsonText } from './shared';

export interface LoadProgramOptions {
  actor?: string;
  at?: Instant;
  /** Rewrite every row even when the stored definition is identical. */
  force?: boolean;
}

export interface LoadProgramResult {
  programId: string;
  /** False when the stored definition was identical and nothing was written. */
  changed: boolean;
  created: boolean;
  units: number;
  activeUnits: number;
  deactivatedUnits: string[];
  contacts: number;
  tasks: number;
}

export interface ProgramRecord {
  id: string;
  title: { vi: string; en: string };
  firstYear: number;
  lastYear: number;
  timeZone: string;
  coordinatorUnitId: string;
  appraiserUnitId: string;
  definitionSha256: string;
  loadedAt: string;
  updatedAt: string;
}

export interface UnitRecord {
  programId: string;
  id: string;
  category: string;
  name: { vi: string; en: string };
  language: string;
  reports: boolean;
  active: boolean;
  contacts: Array<{ role: string; name: string | null; email: string }>;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The version a definition is stored under: the SHA-256 (hex) of its canonical JSON text. */
export function programVersionOf(program: Program): string {
  return sha256(toJsonText(program, 'program'));
}

export async function loadProgram(db: DbClient, program: Program, options: LoadProgramOptions = {}): Promise<LoadProgramResult> {
  const at = options.at === undefined ? new Date() : toDate(options.at, 'at');
  const actor = options.actor ?? 'system';
  const definition = toJsonText(program, 'program');
  const definitionSha256 = sha256(definition);
  const programId = program.id;

  return inTransaction(db, async (tx) => {
    const existing = await tx.program.findUnique({ where: { id: programId } });
    const counts = async (changed: boolean, deactivatedUnits: string[]): Promise<LoadProgramResult> => {
      // Sequential: one transaction is one connection.
      const units = await tx.unit.count({ where: { programId } });
      const activeUnits = await tx.unit.count({ where: { programId, active: true } });
      const contacts = await tx.contact.count({ where: { programId } });
      const tasks = await tx.focalTask.count({ where: { programId } });
      return { programId, changed, created: existing === null, units, activeUnits, deactivatedUnits, contacts, tasks };
    };
    if (existing && existing.definitionSha256 === definitionSha256 && !options.force) {
      return counts(false, []);
    }

    const programColumns = {
      titleVi: program.title.vi,
      titleEn: program.title.en,
      firstYear: program.period.firstYear,
      lastYear: program.period.lastYear,
      timeZone: program.timeZone,
      coordinatorUnitId: program.coordinator,
      appraiserUnitId: program.appraiser,
      definition,
      definitionSha256,
      updatedAt: at,
    };
    await tx.program.upsert({
      where: { id: programId },
      create: { id: programId, ...programColumns, loadedAt: at },
      update: { ...programColumns, loadedAt: at },
    });
    // Every definition stays readable by its hash: running workflows refer to the one they started with.
    await tx.programVersion.upsert({
      where: { programId_sha256: { programId, sha256: definitionSha256 } },
      create: { programId, sha256: definitionSha256, definition, unitCount: program.units.length, loadedAt: at },
      update: {},
    });

    // Units: upsert every listed unit; the others become inactive.
    const listed = new Set(program.units.map((u) => u.id));
    for (const unit of program.units) {
      const columns = {
        category: unit.category,
        nameVi: unit.name.vi,
        nameEn: unit.name.en,
        language: unit.language,
        reports: unit.reports,
        active: true,
        updatedAt: at,
      };
      await tx.unit.upsert({
        where: { programId_id: { programId, id: unit.id } },
        create: { programId, id: unit.id, ...columns },
        update: columns,
      });
      // Contacts: one row per role, keyed (program, unit, role).
      for (const [role, mailbox] of [['reporting', unit.contact], ['head', unit.head]] as const) {
        await tx.contact.upsert({
          where: { programId_unitId_role: { programId, unitId: unit.id, role } },
          create: { programId, unitId: unit.id, role, name: mailbox.name ?? null, email: mailbox.email },
          update: { name: mailbox.name ?? null, email: mailbox.email },
        });
      }
    }
    // Diffed here rather than with NOT IN: a national program's thousands of ids exceed SQLite's
    // limit on query parameters.
    const active = await tx.unit.findMany({ where: { programId, active: true }, select: { id: true } });
    const deactivatedUnits = active.map((u) => u.id).filter((id) => !listed.has(id)).sort();
    for (let i = 0; i < deactivatedUnits.length; i += 500) {
      const batch = deactivatedUnits.slice(i, i + 500);
      await tx.unit.updateMany({ where: { programId, id: { in: batch } }, data: { active: false, updatedAt: at } });
    }

    // Focal tasks: upsert listed, delete the rest; resolved units are rewritten (small sets).
    const taskNumbers = program.tasks.map((t) => t.number);
    await tx.focalTask.deleteMany({ where: { programId, number: { notIn: taskNumbers } } });
    for (const task of program.tasks) {
      const columns = {
        titleVi: task.title.vi,
        titleEn: task.title.en,
        lead: task.lead,
        coordinating: toJsonText(task.coordinating, `tasks[${task.number}].coordinating`),
        othersConcerned: task.othersConcerned,
        timing: task.timing,
        updatedAt: at,
      };
      await tx.focalTask.upsert({
        where: { programId_number: { programId, number: task.number } },
        create: { programId, number: task.number, ...columns },
        update: columns,
      });
      const wanted = new Map<string, { unitId: string; role: string }>();
      for (const u of unitsOf(program, task.lead)) wanted.set(`${u.id}|lead`, { unitId: u.id, role: 'lead' });
      for (const ref of task.coordinating) {
        for (const u of unitsOf(program, ref)) wanted.set(`${u.id}|coordinating`, { unitId: u.id, role: 'coordinating' });
      }
      const current = await tx.focalTaskUnit.findMany({ where: { programId, taskNumber: task.number } });
      for (const row of current) {
        if (!wanted.delete(`${row.unitId}|${row.role}`)) {
          await tx.focalTaskUnit.delete({
            where: { programId_taskNumber_unitId_role: { programId, taskNumber: task.number, unitId: row.unitId, role: row.role } },
          });
        }
      }
      for (const { unitId, role } of wanted.values()) {
        await tx.focalTaskUnit.create({ data: { programId, taskNumber: task.number, unitId, role } });
      }
    }

    const result = await counts(true, deactivatedUnits);
    await appendAudit(tx, {
      at,
      actor,
      action: existing ? 'program.reloaded' : 'program.loaded',
      details: {
        programId,
        definitionSha256,
        previousSha256: existing?.definitionSha256 ?? null,
        units: result.units,
        activeUnits: result.activeUnits,
        deactivatedUnits,
        tasks: result.tasks,
      },
    });
    return result;
  });
}

export async function getProgram(db: DbClient, programId: string): Promise<ProgramRecord | null> {
  const row = await db.program.findUnique({ where: { id: programId } });
  if (!row) return null;
  return {
    id: row.id,
    title: { vi: row.titleVi, en: row.titleEn },
    firstYear: row.firstYear,
    lastYear: row.lastYear,
    timeZone: row.timeZone,
    coordinatorUnitId: row.coordinatorUnitId,
    appraiserUnitId: row.appraiserUnitId,
    definitionSha256: row.definitionSha256,
    loadedAt: iso(row.loadedAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** The stored definition, as it was validated when loaded (not re-validated here). */
export async function getProgramDefinition(db: DbClient, programId: string): Promise<Program | null> {
  const row = await db.program.findUnique({ where: { id: programId }, select: { definition: true } });
  return row ? fromJsonText<Program>(row.definition) : null;
}

/** A definition by its hash (ProgramVersion), as it was validated when loaded; null when never loaded. */
export async function getProgramVersion(db: DbClient, programId: string, sha256: string): Promise<Program | null> {
  const row = await db.programVersion.findUnique({ where: { programId_sha256: { programId, sha256 } }, select: { definition: true } });
  return row ? fromJsonText<Program>(row.definition) : null;
}

/** The reference workflows carry for the program's current definition, or null when it is not loaded. */
export async function currentProgramRef(db: DbClient, programId: string): Promise<{ programId: string; version: string } | null> {
  const row = await db.program.findUnique({ where: { id: programId }, select: { definitionSha256: true } });
  return row ? { programId, version: row.definitionSha256 } : null;
}

export async function listUnits(db: DbClient, programId: string, options: { activeOnly?: boolean } = {}): Promise<UnitRecord[]> {
  const rows = await db.unit.findMany({
    where: { programId, ...(options.activeOnly ? { active: true } : {}) },
    include: { contacts: { orderBy: { role: 'asc' } } },
    orderBy: { id: 'asc' },
  });
  return rows.map((u) => ({
    programId: u.programId,
    id: u.id,
    category: u.category,
    name: { vi: u.nameVi, en: u.nameEn },
    language: u.language,
    reports: u.reports,
    active: u.active,
    contacts: u.contacts.map((c) => ({ role: c.role, name: c.name, email: c.email })),
  }));
}
