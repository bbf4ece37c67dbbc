import { createHash } from 'node:crypto';
import { mailboxAddress } from '../../infra/config';

/**
 * The Message-ID of a notification, derived from its idempotency key alone: every attempt to deliver
 * the same notification carries the same Message-ID, so a copy sent again after an uncertain attempt
 * is recognisable as the same message (mail stores and clients thread or collapse identical IDs, and
 * the dispatcher's in-doubt check looks for it). The key is hashed because it contains characters
 * ("|", "*", ":") that are not all valid in a Message-ID; the key itself travels in the
 * X-Kybao-Idempotency-Key header.
 */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  const hash = createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 40);
  return `<kybao.${hash}@${domain}>`;
}

/** The domain of the sender address ("kybao <no-reply@kybao.example>" → "kybao.example"). */
export function senderDomain(mailFrom: string): string {
  const address = mailboxAddress(mailFrom);
  const domain = address?.split('@')[1]?.toLowerCase();
  return domain && /^[a-z0-9.-]+$/.test(domain) ? domain : 'kybao.invalid';
}

/** "<a@b>" and "a@b" compare equal; case of the local part is kept (it is opaque). */
export function normalizeMessageId(id: string): string {
  return id.trim().replace(/^<|>$/g, '');
}
