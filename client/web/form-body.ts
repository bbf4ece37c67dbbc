import type { FastifyRequest } from 'fastify';

/** A posted HTML form's fields by name (`application/x-www-form-urlencoded` or multipart), as the pages read them. */
export type FormBody = Record<string, string | undefined>;

/** The request's form fields; an empty object when it has no body. A field not sent is undefined, never "". */
export const formBody = (req: FastifyRequest): FormBody => (req.body ?? {}) as FormBody;
