/**
 * Lengths an Update payload's fields may have. They keep hostile or mistaken input out of workflow
 * histories (every accepted payload is stored there, and a refusal quotes it): a unit id is a short slug,
 * an actor an e-mail address or an account name (RFC 5321 allows 320 characters), a reference a storage
 * key or URL, free text a note or reason.
 */
export const MAX_ID_CHARS = 200;
export const MAX_ACTOR_CHARS = 320;
export const MAX_REFERENCE_CHARS = 2048;
export const MAX_TEXT_CHARS = 2000;
export const MAX_TITLE_CHARS = 500;

export const tooLong = (what: string, max: number) => `${what} is too long: at most ${max} characters`;
