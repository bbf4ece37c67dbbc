import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '../../infra/db/database-url';
import { isLoopbackHost, type Env } from '../../infra/config';
import { normalizeMessageId } from './message-id';

/**
 * Settles an "in doubt" delivery: an attempt whose dispatcher died (or lost its connection) after the
 * message may have reached the SMTP server, before the outcome was committed to the outbox. SMTP has
 * no way to ask a server "did you accept Message-ID X?" (RFC 1047 describes this very window), so the
 * answer has to come from the receiving side when it can give one:
 *
 *  - `sink-folder`: the embedded sink stores every accepted message (with its Message-ID) before it
 *    replies 250, so the folder is an authoritative record of what it accepted;
 *  - `none`: nobody can tell; the dispatcher sends again with the SAME Message-ID (never dropping the
 *    notification), and the duplicate, if there is one, is recognisable by that ID.
 *
 * A provider with a delivery log or API (message events by Message-ID) would be a third implementation.
 */
export interface AcceptanceCheck {
  readonly name: string;
  /** true: accepted; false: certainly not accepted; undefined: cannot tell. */
  accepted(messageId: string): Promise<boolean | undefined>;
}

export const noAcceptanceCheck: AcceptanceCheck = { name: 'none', accepted: async () => undefined };

/** Reads the sink's `<seq>.json` records incrementally (each file once). */
export function sinkFolderAcceptanceCheck(dir: string): AcceptanceCheck {
  const seen = new Set<string>();
  const read = new Set<string>();
  return {
    name: `sink-folder ${dir}`,
    async accepted(messageId) {
      let files: string[];
      try {
        files = await readdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      for (const file of files) {
        if (!/^\d+\.json$/.test(file) || read.has(file)) continue;
        try {
          const stored = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as { messageId?: string | null };
          if (stored.messageId) seen.add(normalizeMessageId(stored.messageId));
          read.add(file);
        } catch {
          // being written (the sink renames complete files into place, so this is rare): next time
        }
      }
      return seen.has(normalizeMessageId(messageId));
    },
  };
}

export function acceptanceCheckFor(env: Env): AcceptanceCheck {
  const mode = env.MAIL_IN_DOUBT_CHECK === 'auto' ? (isLoopbackHost(env.SMTP_HOST) ? 'sink-folder' : 'none') : env.MAIL_IN_DOUBT_CHECK;
  return mode === 'sink-folder' ? sinkFolderAcceptanceCheck(path.resolve(REPO_ROOT, env.KYBAO_MAIL_SINK_DIR)) : noAcceptanceCheck;
}
