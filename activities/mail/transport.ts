import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { isLoopbackHost, type Env } from '../../infra/config';

/**
 * A pooled, rate-limited SMTP transport built from the validated environment.
 *
 * `maxRequeues: 0` matters for exactly-once delivery: by default nodemailer's pool silently re-sends a
 * message whose connection closed mid-transaction, which can duplicate a message the server had
 * already accepted. Here a failed send is reported to the outbox dispatcher, the only component that
 * decides whether and when to send again (activities/mail/dispatcher.ts).
 */
export function createMailTransport(env: Env): Transporter {
  const timeoutMs = Math.round(env.SMTP_TIMEOUT_SECONDS * 1000);
  return nodemailer.createTransport({
    host: env.SMTP_HOST,
    port: env.SMTP_PORT,
    secure: env.SMTP_SECURE,
    requireTLS: env.SMTP_REQUIRE_TLS,
    auth: env.SMTP_USER ? { user: env.SMTP_USER, pass: env.SMTP_PASSWORD } : undefined,
    pool: true,
    maxConnections: env.SMTP_POOL_SIZE,
    maxRequeues: 0,
    rateDelta: 1000,
    rateLimit: env.SMTP_RATE_PER_SECOND,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // A loopback sink has no certificate; real servers are verified unless the operator says otherwise.
    tls: { rejectUnauthorized: env.SMTP_TLS_REJECT_UNAUTHORIZED ?? !isLoopbackHost(env.SMTP_HOST) },
    // nodemailer's own logging stays off: it would print message envelopes and, at debug level, AUTH.
    logger: false,
  } satisfies SMTPPool.Options & { maxRequeues: number });
}
