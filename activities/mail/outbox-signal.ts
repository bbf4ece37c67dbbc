import { EventEmitter } from 'node:events';

/**
 * In-process wake-up call from notify (a row was committed to the outbox) to the dispatcher running in
 * the same worker process, so mail leaves within milliseconds instead of at the next poll. It is only
 * a hint: the dispatcher also polls, so a notification queued by another process is never missed.
 */
export const outboxSignal = new EventEmitter();
outboxSignal.setMaxListeners(50);

export function notifyOutboxChanged(): void {
  outboxSignal.emit('changed');
}
