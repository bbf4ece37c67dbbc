import { z } from 'zod';
import { yearMessage } from './error-map';

/** Years a program may name: wide enough for any real program, narrow enough to catch a typo (20144). */
export const YEAR_RANGE = { min: 1900, max: 2200 } as const;

const message = (iss: { input?: unknown }) => yearMessage(iss.input, YEAR_RANGE);

/** A calendar year such as 2014, with messages that say so (.inf, 2014.5, "2014" in quotes, 1800). */
export const yearSchema = z.int({ error: message }).min(YEAR_RANGE.min, { error: message }).max(YEAR_RANGE.max, { error: message });
