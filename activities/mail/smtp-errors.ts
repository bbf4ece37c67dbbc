/**
 * What an SMTP failure means for the outbox:
 *  - permanent: the same message would be refused again (a 5xx reply other than 503, an address the
 *    client or server rejects as invalid): mark the notification failed and tell the coordinator;
 *  - temporary: everything else (connection refused or dropped, timeouts, 4xx, TLS or authentication
 *    trouble, which is the operator's to fix, not the notification's): retry with backoff;
 *  - connection: the server could not be talked to at all, so the dispatcher pauses rather than fail
 *    every queued message in turn;
 *  - inDoubt: the failure may have come after the server received the whole message (the connection
 *    broke while waiting for the reply to the final "."), so the next attempt checks first.
 */
export interface SmtpFailure {
  permanent: boolean;
  connection: boolean;
  inDoubt: boolean;
}

type NodemailerError = Error & {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  permanent?: boolean;
};

/** Failures that happen before a message could have been handed over. */
const BEFORE_TRANSFER = new Set(['EDNS', 'EAUTH', 'ENOAUTH', 'EOAUTH2', 'ETLS', 'EREQUIRETLS', 'ECONFIG', 'EENVELOPE', 'EMESSAGE', 'EPROXY']);
/** System errors that can only happen while connecting. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** nodemailer's timeouts of the connection phases (connect, greeting, TLS upgrade), before any transfer. */
const SETUP_TIMEOUT = /^(Connection timeout|Greeting never received|Timeout upgrading|TLS)/i;
/** Server-side or configuration trouble: not the notification's fault, whatever the reply code. */
const NEVER_PERMANENT = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ETLS', 'EREQUIRETLS', 'ECONFIG', 'EPROXY']);

export function classifySmtpError(error: unknown): SmtpFailure {
  const err = (error ?? {}) as NodemailerError;
  const code = err.code ?? '';
  const responseCode = typeof err.responseCode === 'number' ? err.responseCode : null;
  const connection = ['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS'].includes(code) && responseCode === null;
  let permanent = false;
  if (!NEVER_PERMANENT.has(code)) {
    if (responseCode !== null) permanent = responseCode >= 500 && responseCode < 600 && responseCode !== 503;
    // EENVELOPE/EMESSAGE without a reply: nodemailer refused the address or message itself
    else if (code === 'EENVELOPE' || code === 'EMESSAGE') permanent = true;
  }
  // A reply from the server settles the transaction (a negative reply means "not accepted"); so does a
  // failure before any transfer. A connection that broke otherwise may have broken after the final ".".
  const definite =
    responseCode !== null ||
    BEFORE_TRANSFER.has(code) ||
    UNREACHABLE.has(err.originalCode ?? '') ||
    (code === 'ETIMEDOUT' && SETUP_TIMEOUT.test(err.message ?? ''));
  return { permanent, connection, inDoubt: !definite && !permanent };
}

/** One line for lastError and the audit log: the server's reply if there was one. Never credentials. */
export function describeSmtpError(error: unknown): string {
  const err = (error ?? {}) as NodemailerError;
  const parts = [err.code, err.originalCode && err.originalCode !== err.code ? err.originalCode : undefined, err.command ? `at ${err.command}` : undefined]
    .filter(Boolean)
    .join(' ');
  const message = (err.message ?? String(error)).replace(/\s+/g, ' ').trim();
  return `${parts ? `${parts}: ` : ''}${message}`.slice(0, 1000);
}
