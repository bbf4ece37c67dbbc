import { computeYearSchedule } from '../../domain/calendar/schedule';
import type { RoundDataInput } from '../../domain/compilation/input';
import { reportingUnits } from '../../domain/program/resolve';
import type { Program } from '../../domain/program/schema';
import { Behaviour } from './behaviour';
import { simulateFormData } from './form-filling';

const DAY_MS = 86_400_000;

/**
 * A quarter's compilation input with simulated units, without running any workflow: each unit's habit
 * (client/simulate/behaviour.ts) decides whether it reports on time (1–10 days early), late (1–5 days
 * after the deadline, an extension counting as late here) or never, and what it reports comes from
 * `simulateFormData`. The same seed gives the same quarter. Used by scripts/compile-report.ts example.
 */
export function simulatedQuarter(program: Program, year: number, quarter: number, seed: number): RoundDataInput {
  const round = computeYearSchedule(program, year).rounds.find((r) => r.kind === 'quarterly-report' && r.quarter === quarter);
  if (!round) throw new Error(`the program has no quarterly round for Q${quarter} ${year}; check rounds.quarterly in the program file`);
  const form = program.forms?.['quarterly-report'];
  const behaviour = new Behaviour(seed);
  const obligations: RoundDataInput['obligations'] = [];
  const formData: NonNullable<RoundDataInput['formData']> = {};
  for (const unit of reportingUnits(program)) {
    const choice = behaviour.choose(unit.id);
    if (choice === 'never') {
      obligations.push({ unitId: unit.id, dueAt: round.deadline, submittedAt: null, status: 'missing' });
      continue;
    }
    const late = choice !== 'on-time';
    const at = round.deadlineMs + (late ? behaviour.between(1, 5) * DAY_MS + 2 * 3_600_000 : -behaviour.between(1, 10) * DAY_MS);
    obligations.push({ unitId: unit.id, dueAt: round.deadline, submittedAt: new Date(at).toISOString(), status: late ? 'late' : 'on-time' });
    if (form) formData[unit.id] = simulateFormData(program, form, unit, seed, round.roundKey);
  }
  return {
    roundId: `${program.id}:${round.roundKey}`,
    key: round.roundKey,
    kind: 'quarterly-report',
    year,
    quarter,
    title: round.title,
    deadline: round.deadline,
    obligations,
    formData,
  };
}
