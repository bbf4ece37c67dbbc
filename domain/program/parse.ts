import type { z } from 'zod';
import { formRoundKindSchema } from './forms';
import { type Program, programSchema } from './schema';

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

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value}"`;
  return `${typeof value} ${String(value)}`;
}

/** Replaces zod's generic wording with what was wrong and what to write instead. */
const errorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return `missing; add this required ${iss.expected === 'object' ? 'section' : 'field'}`;
      return `expected ${iss.expected === 'object' ? 'a mapping' : iss.expected === 'array' ? 'a list' : `a ${iss.expected}`}, got ${describe(iss.input)}`;
    case 'invalid_value':
      return `${describe(iss.input)} is not allowed; use one of: ${iss.values.map(String).join(', ')}`;
    case 'too_small':
      if (iss.origin === 'array') return `needs at least ${String(iss.minimum)} item(s)`;
      if (iss.origin === 'string') return 'is empty; fill it in';
      return `${describe(iss.input)} is too small; the minimum is ${String(iss.minimum)}`;
    case 'too_big':
      return `${describe(iss.input)} is too large; the maximum is ${String(iss.maximum)}`;
    case 'invalid_union':
      return `${describe(iss.input)} is neither a unit id nor a {name, email} mailbox`;
    default:
      return undefined;
  }
};

/**
 * Validates a program definition (already read from YAML or JSON) and fills in defaults. On failure
 * every problem is listed, each as `path: reason`, so one edit-and-retry fixes the whole file.
 */
export function parseProgram(input: unknown): ParseProgramResult {
  const result = programSchema.safeParse(input, { error: errorMap });
  if (result.success) return { ok: true, program: result.data };
  const problems: string[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      // One line per key, pointing at the key itself.
      for (const key of issue.keys)
        problems.push(
          issue.path.length === 1 && issue.path[0] === 'forms'
            ? `${formatPath([...issue.path, key])}: "${key}" is not a round kind that takes a form; use one of: ${formRoundKindSchema.options.join(', ')}`
            : `${formatPath([...issue.path, key])}: unknown field; remove it or correct its spelling`,
        );
    } else {
      problems.push(`${formatPath(issue.path)}: ${issue.message}`);
    }
  }
  return { ok: false, problems: [...new Set(problems)] };
}
