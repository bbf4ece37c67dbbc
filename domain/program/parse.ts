import type { z } from 'zod';
import { formRoundKindSchema } from './forms';
import { programErrorMap } from './error-map';
import { allowedFields, closestField } from './field-names';
import { nfcDeep } from './nfc';
import { type Program, programSchema } from './schema';
import { tameEchoes } from '../text/quoted';

export type ParseProgramResult = { ok: true; program: Program } | { ok: false; problems: string[] };

/** `units[3].contact.email`, the way a person finds the spot in a YAML or JSON file. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

/** "unknown field; did you mean period?" or the list of fields the mapping allows. */
function unknownField(schema: z.ZodType, path: readonly PropertyKey[], key: string): string {
  const allowed = allowedFields(schema, path);
  const guess = closestField(key, allowed);
  if (guess) return `unknown field; did you mean "${guess}"? (fields are case-sensitive)`;
  return allowed.length ? `unknown field; remove it, or use one of: ${allowed.join(', ')}` : 'unknown field; remove it or correct its spelling';
}

/**
 * Validates a program definition (already read from YAML or JSON) and fills in defaults. Every string,
 * keys included, is normalised to NFC first, so a file saved in decomposed Unicode (NFD, as macOS
 * writes it) gives the same program as its NFC twin. On failure every problem is listed, one per
 * field, each as `path: what is wrong and what to write instead`, so one edit-and-retry fixes the file.
 */
export function parseProgram(input: unknown): ParseProgramResult {
  const result = parseAuthored(programSchema, input);
  return result.ok ? { ok: true, program: result.value } : result;
}

/**
 * Any file an author writes (a program, a holiday schedule), parsed the same way: NFC first, the
 * author's error map, then `path: problem` lines, one per field, unknown keys with a suggestion.
 */
export function parseAuthored<S extends z.ZodType>(schema: S, input: unknown): { ok: true; value: z.output<S> } | { ok: false; problems: string[] } {
  const result = schema.safeParse(nfcDeep(input), { error: programErrorMap });
  if (result.success) return { ok: true, value: result.data };
  const byPath = new Map<string, string>();
  const add = (path: readonly PropertyKey[], message: string) => {
    const where = formatPath(path);
    // One problem per field: zod may find several for one value (2e20 is too large twice over).
    if (!byPath.has(where)) byPath.set(where, tameEchoes(`${where}: ${message}`));
  };
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      // One line per key, pointing at the key itself.
      for (const key of issue.keys)
        add(
          [...issue.path, key],
          issue.path.length === 1 && issue.path[0] === 'forms'
            ? `"${key}" is not a round kind that takes a form; use one of: ${formRoundKindSchema.options.join(', ')}`
            : unknownField(schema, issue.path, key),
        );
    } else {
      add(issue.path, issue.message);
    }
  }
  return { ok: false, problems: [...byPath.values()] };
}
