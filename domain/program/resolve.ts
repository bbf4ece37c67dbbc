import type { Mailbox, Program, Unit } from './schema';

/** Lookups over a validated program; ids were checked on parse, so a miss here is a caller's bug. */

export function unitById(program: Program, id: string): Unit {
  const unit = program.units.find((u) => u.id === id);
  if (!unit) throw new Error(`program "${program.id}" has no unit "${id}"; check the id against the program file`);
  return unit;
}

/** The units a unit id or a group id stands for, in program order. */
export function unitsOf(program: Program, ref: string): Unit[] {
  const group = program.groups.find((g) => g.id === ref);
  if (!group) return [unitById(program, ref)];
  const members = new Set(group.units);
  return program.units.filter((u) => members.has(u.id) || group.categories.includes(u.category));
}

/** Units that owe plans and reports in the program's regular rounds. */
export function reportingUnits(program: Program): Unit[] {
  return program.units.filter((u) => u.reports);
}

/** The mailboxes behind `escalationRecipients`: a unit id means that unit's contact desk. */
export function escalationMailboxes(program: Program): Mailbox[] {
  return program.escalationRecipients.map((r) => (typeof r === 'string' ? unitById(program, r).contact : r));
}
