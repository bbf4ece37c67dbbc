import nodemailer, { Transporter } from 'nodemailer';
import type { Env } from '../../worker/config';

/** A pooled, rate-limited SMTP transport built from the validated environment. */
export function createMailTransport(env: Env): Transporter {
  return nodemailer.createTransport({
    host: env.SMTP_HOST,
    port: env.SMTP_PORT,
    secure: env.SMTP_SECURE,
    auth: env.SMTP_USER ? { user: env.SMTP_USER, pass: env.SMTP_PASSWORD } : undefined,
    pool: true,
    maxConnections: env.SMTP_POOL_SIZE,
    rateDelta: 1000,
    rateLimit: env.SMTP_RATE_PER_SECOND,
    // A loopback sink has no certificate; real servers are verified unless the operator says otherwise.
    tls: { rejectUnauthorized: env.SMTP_HOST !== '127.0.0.1' && env.SMTP_HOST !== 'localhost' },
  });
}
