import { estimateGroupOf, estimateGroupsOf } from '../../domain/cycle/estimate-groups';
import { perDefinitionAndKey } from '../../domain/program/per-definition';
import { unitIndexOf } from '../../domain/program/unit-index';
import { resolveAudience } from '../../domain/round/audience';
import { programWithExtraUnits } from '../helpers/programs';

/**
 * The unit lookups activities use on every notice (domain/program/unit-index.ts) are built once per
 * definition object, and what is derived from them (estimate groups, an audience in program order)
 * agrees with the program's own unit list.
 */
describe("a program's unit index", () => {
  const program = programWithExtraUnits('index-test', 450, 'unit');
  const reporting = program.units.filter((u) => u.reports).map((u) => u.id);

  test('is built once per definition object and follows the object it was built from', () => {
    const index = unitIndexOf(program);
    expect(unitIndexOf(program)).toBe(index);
    expect(index.byId.size).toBe(program.units.length);
    expect(index.reportingIds).toEqual(reporting);
    program.units.forEach((u, i) => expect(index.position.get(u.id)).toBe(i));
    // Another object (another version of the definition) gets its own index, never the first one's.
    const shorter = { ...program, units: program.units.slice(0, -1) };
    expect(unitIndexOf(shorter)).not.toBe(index);
    expect(unitIndexOf(shorter).byId.has(program.units.at(-1)!.id)).toBe(false);
  });

  test('a keyed derivation runs once per definition object and key, and forgets its keys past the cap', () => {
    const calls: string[] = [];
    const derive = perDefinitionAndKey((p, size: number) => {
      calls.push(`${p.units.length}/${size}`);
      return estimateGroupsOf(p, size);
    }, 2);
    const shorter = { ...program, units: program.units.slice(0, -1) };
    const first = derive(program, 200);
    expect(derive(program, 200)).toBe(first);
    expect(derive(shorter, 200)).not.toBe(first);
    derive(program, 100);
    expect(calls).toEqual([`${program.units.length}/200`, `${shorter.units.length}/200`, `${program.units.length}/100`]);
    // A third key for the same definition passes the cap of 2: the table starts again, so 200 is derived anew.
    derive(program, 50);
    expect(derive(program, 200)).not.toBe(first);
    expect(derive(program, 200)).toEqual(first);
    expect(calls.length).toBe(5);
  });

  test('estimate groups cut the reporting units in program order, and each unit finds its group', () => {
    const groups = estimateGroupsOf(program, 200);
    expect(groups.map((g) => g.length)).toEqual([200, 200, reporting.length - 400]);
    expect(groups.flat()).toEqual(reporting);
    groups.forEach((g, i) => g.forEach((id) => expect(estimateGroupOf(program, id, 200)).toBe(i + 1)));
    const silent = program.units.find((u) => !u.reports);
    if (silent) expect(estimateGroupOf(program, silent.id, 200)).toBeNull();
    expect(estimateGroupOf(program, 'no-such-unit', 200)).toBeNull();
  });

  test('a listed audience comes back in program order, without repeats; an unknown unit is named', () => {
    const [a, b, c] = [reporting[300]!, reporting[2]!, reporting[150]!];
    expect(resolveAudience(program, { unitIds: [a, b, c, b] })).toEqual({ unitIds: [b, c, a] });
    expect(resolveAudience(program, { unitIds: [a, 'no-such-unit'] })).toEqual({ problem: expect.stringContaining('"no-such-unit"') });
  });
});
