import { z } from 'zod';

/** Ids and categories every part of a program file refers to (units, groups, forms). */

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const slugSchema = z
  .string()
  .regex(SLUG, {
    error: (iss) =>
      `"${String(iss.input)}" is not an id: use lower-case ASCII letters, digits and single hyphens, e.g. "so-tttt"`,
  });

export const unitCategorySchema = z.enum(['department', 'district', 'socio-political', 'press', 'other']);
export type UnitCategory = z.infer<typeof unitCategorySchema>;
