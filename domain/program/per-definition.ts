import type { Program } from './schema';

/**
 * Things derived from a program definition, worked out once per definition object and kept as long as
 * that object lives. A parsed definition is never changed (activities/program-versions.ts keeps one object
 * per id and content hash), and one that is dropped takes what was derived from it along (a WeakMap). For
 * what costs a scan of the units (10,000 at a ministry) and is asked per notice, per receipt or per group.
 */

/** `derive(program)`, computed on the first call for each definition object. */
export function perDefinition<T>(derive: (program: Program) => T): (program: Program) => T {
  const kept = new WeakMap<Program, { value: T }>();
  return (program) => {
    let hit = kept.get(program);
    if (!hit) kept.set(program, (hit = { value: derive(program) }));
    return hit.value;
  };
}

/**
 * `derive(program, key)`, computed on the first call for each definition object and key. At most
 * `maxKeys` keys are kept per definition (all are dropped when a new key would pass it), for keys that
 * come from outside, such as deadlines.
 */
export function perDefinitionAndKey<K, T>(derive: (program: Program, key: K) => T, maxKeys = 1_000): (program: Program, key: K) => T {
  const tables = perDefinition(() => new Map<K, T>());
  return (program, key) => {
    const table = tables(program);
    if (table.has(key)) return table.get(key)!;
    const value = derive(program, key);
    if (table.size >= maxKeys) table.clear();
    table.set(key, value);
    return value;
  };
}
