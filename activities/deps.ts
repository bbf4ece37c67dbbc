import type { Transporter } from 'nodemailer';
import type { Db } from '../infra/db/client';
import type { Env } from '../infra/config';

/** The clients every activity factory is given; the worker builds them from the environment. */
export interface ActivityDeps {
  db: Db;
  mailer: Transporter;
  env: Env;
}
