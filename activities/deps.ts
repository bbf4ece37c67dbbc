import type { Transporter } from 'nodemailer';
import type { Db } from './db/client';
import type { Env } from '../worker/config';

/** The clients every activity factory is given; the worker builds them from the environment. */
export interface ActivityDeps {
  db: Db;
  mailer: Transporter;
  env: Env;
}
