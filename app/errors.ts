/**
 * The application layer's one error type. Every operation in app/ fails with an AppError whose `code`
 * says what kind of failure it is and whose message says what was wrong and what to do; `field` names
 * the input at fault when there is one. The CLI prints the message as `kybao: <message>`; the web app
 * answers `{ error: { message, field } }` with the status httpStatusOf(code).
 */
export type AppErrorCode =
  /** the input is malformed or out of range (HTTP 400) */
  | 'invalid'
  /** no valid credentials: not signed in, or a link token that is missing, tampered with or expired (401) */
  | 'unauthorized'
  /** signed in, but this role or this link may not do that (403) */
  | 'forbidden'
  /** the round, unit, workflow or row does not exist (404) */
  | 'not-found'
  /** the rules refuse it now: a workflow validator, a closed round, a decided request (409) */
  | 'refused'
  /** a file over the size limit (413) */
  | 'too-large'
  /** a file type that is not accepted (415) */
  | 'unsupported-type'
  /** Temporal kept answering "busy" for longer than the gateway waits (503) */
  | 'busy'
  /** Temporal or the database cannot be reached, or a workflow does not answer (503) */
  | 'unavailable';

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** The input at fault, e.g. "file", "until", "unitId". */
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const STATUS: Record<AppErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  refused: 409,
  'too-large': 413,
  'unsupported-type': 415,
  busy: 503,
  unavailable: 503,
};

export function httpStatusOf(code: AppErrorCode): number {
  return STATUS[code];
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
