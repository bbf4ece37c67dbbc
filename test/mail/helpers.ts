import type { Transporter } from 'nodemailer';
import { upsertObligations, upsertRound } from '../../infra/db/round-repository';
import { OutboxDispatcher, dispatcherOptionsFromEnv, type DispatcherOptions } from '../../activities/mail/dispatcher';
import { sinkFolderAcceptanceCheck } from '../../activities/mail/in-doubt';
import { createMailTransport } from '../../activities/mail/transport';
import type { StoredMessage } from '../../client/mail-sink';
import type { Env } from '../../infra/config';
import type { World } from '../helpers/world';

/** The Q1 2015 round of the default program: deadline 00:00 Wednesday 25 March 2015 in Hà Nội. */
export const DEADLINE = '2015-03-24T17:00:00.000Z';

export async function seedRound(world: World, roundId: string, unitIds: string[], options: { title?: { vi: string; en: string }; kind?: string; subject?: string } = {}) {
  await upsertRound(world.db, {
    id: roundId,
    programId: world.program.id,
    year: 2015,
    kind: options.kind ?? 'quarterly-report',
    title: options.title ?? { vi: 'Báo cáo đánh giá tình hình thực hiện quý I/2015', en: 'Implementation report, Q1 2015' },
    subject: options.subject ?? null,
    deadline: DEADLINE,
    openedAt: '2015-03-01T17:00:00.000Z',
    actor: 'test',
  });
  await upsertObligations(world.db, { roundId, obligations: unitIds.map((unitId) => ({ unitId, dueAt: DEADLINE })), actor: 'test', at: '2015-03-01T17:00:00.000Z' });
}

export const quiet = () => undefined;

/** A dispatcher on fast test timings, checking in-doubt sends against the world's sink folder. */
export function testDispatcher(
  world: World,
  overrides: Partial<DispatcherOptions> & { env?: Partial<Env> } = {},
): { dispatcher: OutboxDispatcher; transport: Transporter; close(): Promise<void> } {
  const { env: envOverrides, ...rest } = overrides;
  const env = { ...world.env, ...envOverrides };
  const transport = createMailTransport(env);
  const dispatcher = new OutboxDispatcher(
    dispatcherOptionsFromEnv(env, { db: world.db, transport }, {
      pollMs: 50,
      leaseMs: 60_000,
      retryInitialMs: 50,
      retryMaxMs: 400,
      acceptance: sinkFolderAcceptanceCheck(world.sink.dir),
      log: quiet,
      ...rest,
    }),
  );
  return {
    dispatcher,
    transport,
    async close() {
      await dispatcher.stop();
      transport.close();
    },
  };
}

export function byMessageId(messages: StoredMessage[]): Map<string, StoredMessage[]> {
  const map = new Map<string, StoredMessage[]>();
  for (const m of messages) map.set(m.messageId ?? '', [...(map.get(m.messageId ?? '') ?? []), m]);
  return map;
}

/** The idempotency key a stored message carries (X-Kybao-Idempotency-Key), read from its raw file. */
export function keyOf(raw: string): string | null {
  return /^X-Kybao-Idempotency-Key:\s*(.+)$/im.exec(raw)?.[1]?.trim() ?? null;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
