/**
 * kybao's database layer: the client factory and the repositories. Repositories take a client (or a
 * transaction client from `db.$transaction`) and return plain JSON-safe objects; see ./shared.ts.
 * Migrations and client generation: `tsx scripts/db.ts migrate` (header of scripts/db.ts).
 */
export * from './client';
export { InvalidInputError, InvalidStateError, NotFoundError, inTransaction } from './shared';
export type { DbClient, Instant } from './shared';
export * from './audit-repository';
export * from './program-repository';
export * from './round-repository';
export * from './budget-repository';
export * from './outbox-repository';
export * from './form-data';
export * from './compiled-reports';
