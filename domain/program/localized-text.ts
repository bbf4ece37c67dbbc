import { z } from 'zod';
import { describeValue } from './error-map';

/** Everything a person reads exists in Vietnamese (the working language) and English (for the Ministry and partners). */
export const localizedTextSchema = z.strictObject(
  {
    vi: z.string().trim().min(1, { error: 'Vietnamese text is empty; write the name or title in Vietnamese' }),
    en: z.string().trim().min(1, { error: 'English text is empty; write the name or title in English' }),
  },
  {
    error: (iss) =>
      iss.code === 'invalid_type' && iss.input !== undefined
        ? `must give the text in both languages, e.g. { vi: Sở Nội vụ, en: Department of Home Affairs }, got ${describeValue(iss.input)}`
        : undefined,
  },
);
export type LocalizedText = z.infer<typeof localizedTextSchema>;

export const languageSchema = z.enum(['vi', 'en']);
export type Language = z.infer<typeof languageSchema>;
