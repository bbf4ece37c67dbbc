import { formatInstant } from '../calendar/notices';
import { instantAt, localDateOf, plusDays } from '../calendar/local-date';
import { addWorkingDays } from '../calendar/working-days';
import type { ProgramOutline } from '../program/outline';
import { roundInput } from '../round/from-schedule';
import type { RoundInput } from '../round/schema';

/** Working days a unit gets to resubmit a returned estimate. */
export const REVISION_WORKING_DAYS = 5;

/**
 * The round a returned estimate opens for its unit: due at the end of the fifth working day after the
 * return (00:00 local of the day after), with the program's reminders and escalations.
 */
export function revisionRoundInput(program: ProgramOutline, year: number, unitId: string, attempt: number, returnedAtMs: number): RoundInput {
  const zone = program.timeZone;
  const lastDay = addWorkingDays(localDateOf(returnedAtMs, zone), REVISION_WORKING_DAYS, program.calendar);
  const deadline = formatInstant(instantAt(plusDays(lastDay, 1), '00:00', zone).toMillis(), zone);
  return roundInput(program, {
    roundId: `${program.id}:${year}-estimate-${unitId}-r${attempt}`,
    kind: 'budget-revision',
    year,
    title: { vi: `Dự toán kinh phí ${year} (trình lại lần ${attempt})`, en: `Budget estimate ${year} (resubmission ${attempt})` },
    deadline,
    audience: { unitIds: [unitId] },
  });
}
