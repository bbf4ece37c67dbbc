import { z } from 'zod';
import { indicatorValueSchema } from './values';

/**
 * A filled form as it is stored with a submission version or a draft, and as a JSON file holds it:
 *
 * ```json
 * {
 *   "indicators": { "su-kien": 3, "kinh-phi-da-chi": "125000000", "ty-le-giai-ngan": 62.5, "su-kien-noi-bat": "…" },
 *   "sections": { "ket-qua-nhiem-vu": { "text": "…", "tasks": { "7": "…", "13": "…" } }, "kien-nghi": { "text": "…" } }
 * }
 * ```
 *
 * Counts and percentages are numbers, VND amounts digit strings (whole đồng, exact beyond 2^53), texts
 * NFC. Absent keys mean "no value". This is the shape only; what a given unit may submit on a given form
 * is `formSubmissionSchema` (./submission.ts), whose output has this shape.
 */
export const sectionAnswerSchema = z.strictObject({
  /** The unit's general text for the section. */
  text: z.string().optional(),
  /** One text per focal task number ("7"), for sections tied to tasks. */
  tasks: z.record(z.string().regex(/^\d+$/), z.string()).default({}),
});
export type SectionAnswer = z.output<typeof sectionAnswerSchema>;

export const formDataSchema = z.strictObject({
  indicators: z.record(z.string(), indicatorValueSchema).default({}),
  sections: z.record(z.string(), sectionAnswerSchema).default({}),
});
export type FormData = z.output<typeof formDataSchema>;

/** A form with nothing in it (a draft just opened). */
export function emptyFormData(): FormData {
  return { indicators: {}, sections: {} };
}
