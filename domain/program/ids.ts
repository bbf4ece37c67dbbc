import { z } from 'zod';
import { describeValue } from './error-map';
import { quoted } from '../text/quoted';

/** Ids and categories every part of a program file refers to (units, groups, forms). */

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const slugSchema = z
  .string({ error: (iss) => (iss.input === undefined ? undefined : `must be an id like "so-tttt" (lower-case letters, digits, hyphens), got ${describeValue(iss.input)}`) })
  .regex(SLUG, {
    error: (iss) =>
      `${quoted(String(iss.input))} is not an id: use lower-case ASCII letters, digits and single hyphens, e.g. "so-tttt"`,
  });

export const unitCategorySchema = z.enum(['department', 'district', 'socio-political', 'press', 'other']);
export type UnitCategory = z.infer<typeof unitCategorySchema>;
