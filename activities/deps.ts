import type { Transporter } from 'nodemailer';
import type { Db } from '../infra/db/client';
import type { Env } from '../infra/config';
import type { ProgramVersions } from './program-versions';

/** The clients every activity factory is given; the worker builds them from the environment. */
export interface ActivityDeps {
  db: Db;
  mailer: Transporter;
  env: Env;
  /** Program definitions by (id, sha256); default: read from `db` and cached per worker. */
  programs?: ProgramVersions;
}
