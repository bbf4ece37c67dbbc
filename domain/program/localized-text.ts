import { z } from 'zod';

/** Everything a person reads exists in Vietnamese (the working language) and English (for the Ministry and partners). */
export const localizedTextSchema = z.strictObject({
  vi: z.string().trim().min(1, { error: 'Vietnamese text is empty; write the name or title in Vietnamese' }),
  en: z.string().trim().min(1, { error: 'English text is empty; write the name or title in English' }),
});
export type LocalizedText = z.infer<typeof localizedTextSchema>;

export const languageSchema = z.enum(['vi', 'en']);
export type Language = z.infer<typeof languageSchema>;
