import type { Transporter } from 'nodemailer';
import type { Db } from '../../infra/db/client';
import {
  IN_DOUBT_MARK,
  completeFailed,
  completeSent,
  dueNotifications,
  nextDueAt,
  type Claim,
  type NotificationRecord,
  type RejectedRecipient,
} from '../../infra/db/outbox-repository';
import { claimNotifications, completeSentMany, type AcceptedDelivery } from '../../infra/db/outbox-batch';
import type { Env } from '../../infra/config';
import { acceptanceCheckFor, type AcceptanceCheck } from './in-doubt';
import { messageIdFor, senderDomain } from './message-id';
import { outboxSignal } from './outbox-signal';
import { classifySmtpError, describeSmtpError } from './smtp-errors';

/**
 * The outbox dispatcher: a loop in the worker process that delivers queued notifications over SMTP.
 *
 * Why a loop beside the worker and not an activity: the workflows' `notify` activity only commits the
 * decision to the outbox (one transaction, idempotent by key), so a round never waits on — or retries
 * because of — an SMTP server. Delivery has its own schedule: an SMTP outage of hours costs no
 * activity retries and no workflow history, backoff is per message, the pool and rate limit are shared
 * by everything the process sends, and several workers can run dispatchers safely (claims below).
 *
 * The guarantee, per notification (= per idempotency key):
 *  1. Never dropped. A row leaves the outbox only as `sent` (the server accepted it) or `failed`
 *     (a permanent refusal, or MAIL_MAX_ATTEMPTS temporary failures), and a failure is recorded on the
 *     row, in the audit log for its unit, and told to the coordinator in the round's next escalation or
 *     closing mail. A dispatcher that dies mid-send leaves a `sending` claim whose lease expires, after
 *     which any dispatcher takes the row up again.
 *  2. One e-mail. Only the holder of the current claim (status sending, attempt n) sends, and only it
 *     can record the outcome (compare-and-set on the attempt number), so retries of `notify`, replayed
 *     workflow tasks, concurrent dispatchers and nodemailer's pool (requeues disabled) cannot send a
 *     notification twice. Every attempt carries the same Message-ID, derived from the key.
 *  3. The one window SMTP leaves open — the server accepted the message (250 after the final ".") but
 *     the process died before committing `sent` (RFC 1047) — is closed by asking the receiving side:
 *     an attempt found in doubt (expired claim, or an error that may have come after the hand-over) is
 *     first looked up by Message-ID (AcceptanceCheck). The embedded sink records every message before
 *     it answers 250, so against it the effect is exactly once. Against a server that cannot be asked,
 *     the message is sent again with the same Message-ID: at least once, and a duplicate (only possible
 *     after a crash in that millisecond window) is recognisable and collapsed by Message-ID.
 */
export interface DispatcherOptions {
  db: Db;
  transport: Pick<Transporter, 'sendMail'>;
  from: string;
  messageIdDomain: string;
  pollMs: number;
  leaseMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  /** Rows claimed per round trip (twice the pool size is a good value). */
  batchSize: number;
  /**
   * Passes run side by side, each with its own batch, so that one's database work (claiming, recording)
   * overlaps the other's sending (default 2). Claims keep them from taking the same row.
   */
  lanes?: number;
  acceptance: AcceptanceCheck;
  hooks?: DispatcherHooks;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  now?: () => Date;
  /** Audit actor. */
  actor?: string;
}

export interface DispatcherHooks {
  /**
   * Runs after the SMTP server accepted the message and before `sent` is committed: the window a
   * crash test aims at. An exception here leaves the claim in place, as a crash would.
   */
  afterAccepted?(notification: NotificationRecord, info: { messageId: string; response: string }): Promise<void> | void;
}

export interface DispatchSummary {
  claimed: number;
  sent: number;
  recovered: number;
  retried: number;
  failed: number;
  /** Claims lost to another dispatcher, and deliveries interrupted by an exception (left in doubt). */
  lost: number;
}

type Outcome = keyof Omit<DispatchSummary, 'claimed'>;

export function dispatcherOptionsFromEnv(
  env: Env,
  deps: { db: Db; transport: Pick<Transporter, 'sendMail'> },
  overrides: Partial<DispatcherOptions> = {},
): DispatcherOptions {
  return {
    db: deps.db,
    transport: deps.transport,
    from: env.MAIL_FROM,
    messageIdDomain: senderDomain(env.MAIL_FROM),
    pollMs: env.MAIL_POLL_SECONDS * 1000,
    leaseMs: env.MAIL_CLAIM_LEASE_SECONDS * 1000,
    retryInitialMs: env.MAIL_RETRY_INITIAL_SECONDS * 1000,
    retryMaxMs: env.MAIL_RETRY_MAX_SECONDS * 1000,
    maxAttempts: env.MAIL_MAX_ATTEMPTS,
    batchSize: Math.max(1, env.SMTP_POOL_SIZE * 2),
    acceptance: acceptanceCheckFor(env),
    log: (level, message) => (level === 'info' ? console.log : console.error)(`[kybao] mail: ${message}`),
    ...overrides,
  };
}

export class OutboxDispatcher {
  private readonly o: Required<Omit<DispatcherOptions, 'hooks'>> & { hooks: DispatcherHooks };
  private running = false;
  private loops: Array<Promise<void>> = [];
  /** The lanes asleep, each waiting for its timer or a kick. */
  private readonly sleepers = new Set<() => void>();
  private kicked = false;
  private readonly inFlight = new Set<number>();
  /** After a connection-level failure the loop pauses (backing off) instead of failing every row. */
  private pausedUntil = 0;
  private connectionFailures = 0;
  private readonly onSignal = () => this.kick();

  constructor(options: DispatcherOptions) {
    this.o = { hooks: {}, log: () => undefined, now: () => new Date(), actor: 'mail-dispatcher', lanes: 2, ...options };
  }

  /** Starts the background loops, one per lane (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    outboxSignal.on('changed', this.onSignal);
    this.loops = Array.from({ length: Math.max(1, this.o.lanes) }, () => this.run());
  }

  /** Stops taking new work and waits for sends in flight to finish and be recorded. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    outboxSignal.off('changed', this.onSignal);
    this.kick();
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** Look at the outbox now (a notification was queued). */
  kick(): void {
    this.kicked = true;
    for (const wake of [...this.sleepers]) wake();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let summary: DispatchSummary | null = null;
      try {
        summary = await this.runOnce();
      } catch (err) {
        this.o.log('error', `outbox pass failed (will retry): ${(err as Error).message}`);
      }
      if (!this.running) break;
      if (summary && summary.claimed >= this.o.batchSize) continue; // more may be waiting
      await this.sleep(await this.idleMs());
    }
  }

  private async idleMs(): Promise<number> {
    const now = this.o.now().getTime();
    let wait = this.o.pollMs;
    if (this.pausedUntil > now) return Math.min(wait, this.pausedUntil - now);
    try {
      const next = await nextDueAt(this.o.db);
      if (next) wait = Math.min(wait, Math.max(0, next.getTime() - now));
    } catch {
      // the next pass reports database trouble
    }
    return Math.max(wait, 5);
  }

  private sleep(ms: number): Promise<void> {
    if (this.kicked) {
      this.kicked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        this.kicked = false;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /**
   * One pass: claim the due rows (up to batchSize) in one transaction, deliver them concurrently, and
   * record the accepted ones in one transaction (infra/db/outbox-batch.ts). Rows another dispatcher
   * claimed first are skipped (not counted).
   */
  async runOnce(): Promise<DispatchSummary> {
    const summary: DispatchSummary = { claimed: 0, sent: 0, recovered: 0, retried: 0, failed: 0, lost: 0 };
    const now = this.o.now();
    if (now.getTime() < this.pausedUntil) return summary;
    const rows = await dueNotifications(this.o.db, { now, limit: this.o.batchSize, excludeIds: [...this.inFlight] });
    if (!rows.length) return summary;
    // The other lane reads past these while this one claims them.
    for (const r of rows) this.inFlight.add(r.id);
    let claims: Claim[];
    try {
      claims = await claimNotifications(this.o.db, {
        rows,
        leaseUntil: new Date(now.getTime() + this.o.leaseMs),
        at: now,
        messageIdOf: (row) => messageIdFor(row.idempotencyKey, this.o.messageIdDomain),
      });
    } finally {
      for (const r of rows) this.inFlight.delete(r.id);
    }
    for (const c of claims) this.inFlight.add(c.notification.id);
    try {
      const results = await Promise.all(
        claims.map((claim) =>
          this.deliver(claim).catch((err: unknown): Outcome => {
            const n = claim.notification;
            this.o.log('error', `notification ${n.id} (${n.idempotencyKey}): ${(err as Error).message}; its claim stays until the lease ends, then it is settled as in doubt`);
            return 'lost';
          }),
        ),
      );
      // The accepted ones, recorded together; until this commit they are in the same window as a
      // single send between "250" and its record (a crash leaves them in doubt, settled as above).
      const accepted = results.filter((r): r is AcceptedDelivery => typeof r === 'object');
      let recorded: boolean[] = [];
      try {
        recorded = await completeSentMany(this.o.db, accepted);
      } catch (err) {
        this.o.log('error', `recording ${accepted.length} sent notification(s) failed (${(err as Error).message}); their claims stay until the lease ends, then they are settled as in doubt`);
        recorded = accepted.map(() => false);
      }
      const outcomes = results.map((r) => {
        if (typeof r !== 'object') return r;
        if (recorded[accepted.indexOf(r)]) return 'sent' as const;
        this.o.log('error', `notification ${r.notification.id} (${r.notification.idempotencyKey}) was sent, but its claim had been taken over (MAIL_CLAIM_LEASE_SECONDS too short?)`);
        return 'lost' as const;
      });
      for (const outcome of outcomes) {
        summary.claimed += 1;
        summary[outcome] += 1;
      }
      return summary;
    } finally {
      for (const c of claims) this.inFlight.delete(c.notification.id);
    }
  }

  /**
   * Runs passes (on every lane) until no notification is due and none is waiting for a retry within
   * `settleMs` (tests and one-shot delivery). Throws after `timeoutMs`.
   */
  async drain(options: { timeoutMs?: number; settleMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    const lane = async () => {
      for (;;) {
        const summary = await this.runOnce();
        const next = await nextDueAt(this.o.db);
        const now = this.o.now().getTime();
        if (summary.claimed === 0 && (next === null || next.getTime() - now > (options.settleMs ?? 0))) return;
        if (Date.now() > deadline) throw new Error('outbox did not drain in time');
        if (summary.claimed === 0) await new Promise((r) => setTimeout(r, Math.min(200, Math.max(5, (next?.getTime() ?? now) - now, this.pausedUntil - now))));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.o.lanes) }, lane));
  }

  private backoffMs(attempt: number): number {
    const base = Math.min(this.o.retryMaxMs, this.o.retryInitialMs * 2 ** Math.max(0, attempt - 1));
    // ±20% jitter so a burst of failures does not come back as a burst
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  /**
   * One claimed attempt: the in-doubt check if needed, the send, and the outcome. An accepted message
   * with every recipient taken is returned for runOnce to record with the rest of the batch; anything
   * else is recorded here.
   */
  private async deliver(claim: Claim): Promise<Outcome | AcceptedDelivery> {
    const { db } = this.o;
    const { attempt } = claim;
    const n = claim.notification;
    // Fixed when the row was queued or claimed (claimNotifications): every attempt carries it.
    const messageId = n.messageId!;
    if (claim.inDoubt) {
      let accepted: boolean | undefined;
      try {
        accepted = await this.o.acceptance.accepted(messageId);
      } catch (err) {
        this.o.log('warn', `in-doubt check (${this.o.acceptance.name}) failed for ${messageId}: ${(err as Error).message}`);
      }
      if (accepted === true) {
        const done = await completeSent(db, { id: n.id, attempt, messageId, sentAt: this.o.now(), recoveredBy: this.o.acceptance.name, actor: this.o.actor });
        this.o.log('info', `notification ${n.id} (${n.idempotencyKey}) was already accepted as ${messageId}; recorded as sent without sending again`);
        return done ? 'recovered' : 'lost';
      }
      this.o.log(
        'warn',
        `notification ${n.id} (${n.idempotencyKey}): previous attempt in doubt, ${accepted === false ? 'not found by' : 'cannot be checked with'} ${this.o.acceptance.name}; sending again with the same Message-ID ${messageId}`,
      );
    }

    let info: { messageId?: string; response?: string; rejectedErrors?: unknown[] };
    try {
      info = await this.o.transport.sendMail({
        from: this.o.from,
        to: n.recipients.map((r) => (r.name ? { name: r.name, address: r.email } : r.email)),
        subject: n.subject,
        text: n.bodyText,
        ...(n.bodyHtml ? { html: n.bodyHtml } : {}),
        messageId,
        headers: {
          'X-Kybao-Idempotency-Key': n.idempotencyKey,
          'X-Kybao-Notification': `${n.id}; attempt=${attempt}`,
          // RFC 3834: automatic mail; no vacation replies or read receipts back to the sender
          'Auto-Submitted': 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
        },
      });
    } catch (err) {
      const failure = classifySmtpError(err);
      const text = describeSmtpError(err);
      if (failure.connection) this.noteConnectionFailure(text);
      const giveUp = !failure.permanent && attempt >= this.o.maxAttempts;
      if (failure.permanent || giveUp) {
        const error = giveUp ? `gave up after ${attempt} attempts; last: ${text}` : text;
        await completeFailed(db, { id: n.id, attempt, error, permanent: true, at: this.o.now(), actor: this.o.actor });
        this.o.log('warn', `notification ${n.id} (${n.idempotencyKey}) failed permanently: ${error}`);
        return 'failed';
      }
      const retryAt = new Date(this.o.now().getTime() + this.backoffMs(attempt));
      await completeFailed(db, {
        id: n.id,
        attempt,
        error: (failure.inDoubt ? IN_DOUBT_MARK : '') + text,
        permanent: false,
        retryAt,
        at: this.o.now(),
        actor: this.o.actor,
      });
      return 'retried';
    }
    this.connectionFailures = 0;

    await this.o.hooks.afterAccepted?.(n, { messageId, response: info.response ?? '' });

    const rejected: RejectedRecipient[] = (info.rejectedErrors ?? []).map((e) => {
      const err = e as Error & { recipient?: string };
      return { email: String(err.recipient ?? ''), permanent: classifySmtpError(err).permanent, error: describeSmtpError(err) };
    });
    if (!rejected.some((r) => r.email)) {
      return { notification: n, attempt, messageId, sentAt: this.o.now(), response: info.response ?? null, actor: this.o.actor };
    }
    const done = await completeSent(db, {
      id: n.id,
      attempt,
      messageId,
      sentAt: this.o.now(),
      response: info.response ?? null,
      rejected: rejected.filter((r) => r.email),
      retryRejectedAt: new Date(this.o.now().getTime() + this.backoffMs(1)),
      actor: this.o.actor,
    });
    if (!done) {
      this.o.log('error', `notification ${n.id} (${n.idempotencyKey}) was sent, but its claim had been taken over (MAIL_CLAIM_LEASE_SECONDS too short?)`);
      return 'lost';
    }
    return 'sent';
  }

  private noteConnectionFailure(text: string): void {
    this.connectionFailures += 1;
    const pause = this.backoffMs(this.connectionFailures);
    this.pausedUntil = this.o.now().getTime() + pause;
    if (this.connectionFailures === 1 || this.connectionFailures % 10 === 0) {
      this.o.log('warn', `SMTP server unreachable (${text}); pausing delivery for ${Math.round(pause / 100) / 10}s (failure ${this.connectionFailures} in a row)`);
    }
  }
}
