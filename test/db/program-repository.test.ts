import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProgramFile, defaultProgramPath } from '../../domain/program/load-file';
import type { Program } from '../../domain/program/schema';
import { getProgram, getProgramDefinition, listUnits, loadProgram } from '../../infra/db/program-repository';
import { listAudit } from '../../infra/db/audit-repository';
import type { Db } from '../../infra/db/client';
import { providers, uniqueId, useMigratedDatabase } from './harness';

/** The program that ships (Decision 925), under a fresh id so tests do not share rows. */
function decision925(): Program {
  return { ...loadProgramFile(defaultProgramPath), id: uniqueId('p925') };
}

async function snapshot(db: Db, programId: string) {
  return {
    program: await db.program.findUniqueOrThrow({ where: { id: programId } }),
    units: await db.unit.findMany({ where: { programId }, orderBy: { id: 'asc' } }),
    contacts: await db.contact.findMany({ where: { programId }, orderBy: { id: 'asc' } }),
    tasks: await db.focalTask.findMany({ where: { programId }, orderBy: { number: 'asc' } }),
    taskUnits: await db.focalTaskUnit.findMany({
      where: { programId },
      orderBy: [{ taskNumber: 'asc' }, { unitId: 'asc' }, { role: 'asc' }],
    }),
  };
}

describe.each(providers)('program repository on %s', (provider) => {
  const database = useMigratedDatabase(provider);

  test('when the Decision 925 program is loaded, then every unit, contact and focal task has a row', async () => {
    const { db } = database();
    const program = decision925();
    const result = await loadProgram(db, program, { actor: 'test', at: '2015-01-02T01:00:00Z' });
    expect(result).toMatchObject({ programId: program.id, changed: true, created: true, tasks: 17 });
    expect(result.units).toBe(program.units.length);
    expect(result.activeUnits).toBe(program.units.length);
    expect(result.contacts).toBe(program.units.length * 2);
    expect(await getProgram(db, program.id)).toMatchObject({
      title: program.title,
      firstYear: 2014,
      lastYear: 2020,
      timeZone: 'Asia/Ho_Chi_Minh',
      coordinatorUnitId: 'so-tttt',
      appraiserUnitId: 'so-tai-chinh',
      loadedAt: '2015-01-02T01:00:00.000Z',
    });
    expect(await getProgramDefinition(db, program.id)).toEqual(JSON.parse(JSON.stringify(program)));
    const units = await listUnits(db, program.id);
    expect(units.find((u) => u.id === 'so-tttt')?.contacts.map((c) => c.role)).toEqual(['head', 'reporting']);
    expect(units.find((u) => u.id === 'ubnd-tinh')?.reports).toBe(false);
  });

  test('when the program file is saved in decomposed Unicode (NFD, as macOS writes it), then it loads as the same definition', async () => {
    const { db } = database();
    const id = uniqueId('p925');
    const text = readFileSync(defaultProgramPath, 'utf8').replace(/^id: qd-925-thai-binh$/m, `id: ${id}`);
    const dir = mkdtempSync(join(tmpdir(), 'kybao-nfd-'));
    const nfcFile = join(dir, 'nfc.yaml');
    const nfdFile = join(dir, 'nfd.yaml');
    writeFileSync(nfcFile, text.normalize('NFC'));
    writeFileSync(nfdFile, text.normalize('NFD'));
    // The two files differ byte for byte ("Sở Nội vụ" has combining marks in one of them)…
    expect(readFileSync(nfdFile)).not.toEqual(readFileSync(nfcFile));
    expect(readFileSync(nfdFile, 'utf8')).toContain('Sở Nội vụ'.normalize('NFD'));
    // …but give the same program, with NFC names, and the same stored definition hash.
    const fromNfc = loadProgramFile(nfcFile);
    const fromNfd = loadProgramFile(nfdFile);
    expect(fromNfd).toEqual(fromNfc);
    expect(fromNfd.units.find((u) => u.id === 'so-noi-vu')!.name.vi).toBe('Sở Nội vụ'.normalize('NFC'));
    const first = await loadProgram(db, fromNfc);
    const hash = (await getProgram(db, id))!.definitionSha256;
    const second = await loadProgram(db, fromNfd);
    expect(first.changed).toBe(true);
    expect(second.changed).toBe(false);
    expect((await getProgram(db, id))!.definitionSha256).toBe(hash);
  });

  test('when a group leads a focal task, then the task lists the group’s units as leads', async () => {
    const { db } = database();
    const program = decision925();
    await loadProgram(db, program);
    const task12 = await db.focalTaskUnit.findMany({ where: { programId: program.id, taskNumber: 12 }, orderBy: { unitId: 'asc' } });
    const leads = task12.filter((r) => r.role === 'lead').map((r) => r.unitId);
    expect(leads).toHaveLength(8); // the 7 districts and the city
    expect(task12.filter((r) => r.role === 'coordinating').map((r) => r.unitId).sort()).toEqual(
      ['so-khdt', 'so-tttt', 'so-vhttdl', 'van-phong-ubnd'].sort(),
    );
    const row = await db.focalTask.findUniqueOrThrow({ where: { programId_number: { programId: program.id, number: 12 } } });
    expect(row.lead).toBe('ubnd-huyen-thanh-pho');
  });

  test('when the same program is loaded twice, then the second load changes nothing', async () => {
    const { db } = database();
    const program = decision925();
    await loadProgram(db, program);
    const before = await snapshot(db, program.id);
    const auditBefore = (await listAudit(db, { action: 'program.reloaded' })).length;

    const again = await loadProgram(db, program);
    expect(again.changed).toBe(false);
    expect(await snapshot(db, program.id)).toEqual(before);
    expect((await listAudit(db, { action: 'program.reloaded' })).length).toBe(auditBefore);
  });

  test('when the same program is force-reloaded, then the rows keep their ids and counts', async () => {
    const { db } = database();
    const program = decision925();
    await loadProgram(db, program, { at: '2015-01-01T00:00:00Z' });
    const before = await snapshot(db, program.id);
    const result = await loadProgram(db, program, { force: true, at: '2015-02-01T00:00:00Z' });
    expect(result.changed).toBe(true);
    const after = await snapshot(db, program.id);
    const withoutTimes = <T extends { updatedAt?: Date }>(rows: T[]) => rows.map(({ updatedAt: _u, ...rest }) => rest);
    expect(withoutTimes(after.units)).toEqual(withoutTimes(before.units));
    expect(after.contacts).toEqual(before.contacts);
    expect(withoutTimes(after.tasks)).toEqual(withoutTimes(before.tasks));
    expect(after.taskUnits).toEqual(before.taskUnits);
  });

  test('when a reloaded program drops a unit and changes a contact, then the unit is kept inactive and the contact updated', async () => {
    const { db } = database();
    const program = decision925();
    await loadProgram(db, program);
    const dropped = 'bao-thai-binh';
    const changed: Program = {
      ...program,
      groups: program.groups.map((g) => ({ ...g, units: g.units.filter((u) => u !== dropped) })),
      tasks: program.tasks.map((t) => ({ ...t, coordinating: t.coordinating.filter((c) => c !== dropped) })),
      units: program.units
        .filter((u) => u.id !== dropped)
        .map((u) => (u.id === 'so-tttt' ? { ...u, contact: { ...u.contact, email: 'new-desk@thaibinh.example' } } : u)),
    };
    const result = await loadProgram(db, changed, { actor: 'coordinator@thaibinh.example' });
    expect(result).toMatchObject({ changed: true, created: false, deactivatedUnits: [dropped] });
    expect(result.units).toBe(program.units.length);
    expect(result.activeUnits).toBe(program.units.length - 1);
    const units = await listUnits(db, program.id);
    expect(units.find((u) => u.id === dropped)?.active).toBe(false);
    expect(units.find((u) => u.id === 'so-tttt')?.contacts.find((c) => c.role === 'reporting')?.email).toBe('new-desk@thaibinh.example');
    expect((await listUnits(db, program.id, { activeOnly: true })).map((u) => u.id)).not.toContain(dropped);
    const [audit] = (await listAudit(db, { action: 'program.reloaded' })).filter(
      (e) => (e.details as { programId: string }).programId === program.id,
    );
    expect(audit).toMatchObject({ actor: 'coordinator@thaibinh.example', details: { deactivatedUnits: [dropped] } });
  });
});
