import { z } from 'zod';

/**
 * Everything a kybao process reads from its environment, validated once at start-up so a wrong value
 * stops it with the variable's name instead of failing later in the middle of a round. Secrets
 * (SMTP_PASSWORD, credentials inside DATABASE_URL) never appear in messages or in describeEnv().
 */
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false (or 1/0, yes/no)' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' }).min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` });

const seconds = (min: number, max: number) =>
  z.coerce.number({ error: 'must be a number of seconds' }).min(min, { error: `must be at least ${min} seconds` }).max(max, { error: `must be at most ${max} seconds` });

/** A host name or an IP address; no scheme, port or path (those have their own variables). */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\d{1,3}(?:\.\d{1,3}){3}|\[?[0-9A-Fa-f:]+\]?)$/;

/** "Name <address>" or a bare address, as in a From: header. */
const MAILBOX = /^\s*(?:(?<name>[^<>]*?)\s*<(?<angle>[^<>\s]+)>|(?<bare>[^<>\s]+))\s*$/;

export function mailboxAddress(value: string): string | null {
  const m = MAILBOX.exec(value);
  const address = m?.groups?.angle ?? m?.groups?.bare;
  return address && z.email().safeParse(address).success ? address : null;
}

export const EnvSchema = z
  .object({
    TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TLS_CERT: z.string().optional(),
    TEMPORAL_TLS_KEY: z.string().optional(),
    TEMPORAL_TLS_CA: z.string().optional(),
    KYBAO_TASK_QUEUE: z.string().min(1).default('kybao'),
    DATABASE_URL: z.string().min(1).default('file:./.data/kybao.db'),

    // --- SMTP -------------------------------------------------------------------------------------
    SMTP_HOST: z
      .string()
      .regex(HOST, { error: 'must be a host name or IP address, without scheme or port (e.g. smtp.thaibinh.gov.vn)' })
      .default('127.0.0.1'),
    SMTP_PORT: int(1, 65535).default(2525),
    /** true: TLS from the first byte (port 465). false: plain, upgraded with STARTTLS when offered. */
    SMTP_SECURE: flag.default(false),
    /** Refuse to send unless the server offers STARTTLS (only with SMTP_SECURE=false). */
    SMTP_REQUIRE_TLS: flag.default(false),
    /** Verify the server's certificate. Default: yes, except for a loopback host (the local sink). */
    SMTP_TLS_REJECT_UNAUTHORIZED: flag.optional(),
    SMTP_USER: z.string().min(1, { error: 'must not be empty; unset it to send without authentication' }).optional(),
    SMTP_PASSWORD: z.string().min(1, { error: 'must not be empty' }).optional(),
    SMTP_POOL_SIZE: int(1, 100).default(5),
    SMTP_RATE_PER_SECOND: int(1, 1000).default(10),
    /** Connection, greeting and socket timeouts. */
    SMTP_TIMEOUT_SECONDS: seconds(1, 600).default(60),
    MAIL_FROM: z
      .string()
      .refine((v) => mailboxAddress(v) !== null, { error: 'must be an address, optionally with a name: "kybao <no-reply@example.org>"' })
      .default('kybao <no-reply@kybao.example>'),
    KYBAO_BASE_URL: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://kybao.thaibinh.gov.vn' })
      .transform((u) => u.replace(/\/+$/, ''))
      .default('http://127.0.0.1:8080'),

    // --- the outbox dispatcher ----------------------------------------------------------------------
    /** How often the dispatcher looks for due mail when nothing wakes it. */
    MAIL_POLL_SECONDS: seconds(0.05, 3600).default(5),
    /** First retry after a temporary failure; doubles each time up to MAIL_RETRY_MAX_SECONDS. */
    MAIL_RETRY_INITIAL_SECONDS: seconds(0.01, 86_400).default(30),
    MAIL_RETRY_MAX_SECONDS: seconds(0.01, 86_400).default(1800),
    /** Attempts after which a temporarily failing notification is marked failed (≈3 days by default). */
    MAIL_MAX_ATTEMPTS: int(1, 10_000).default(150),
    /** How long a claimed message may take before another dispatcher treats it as in doubt. */
    MAIL_CLAIM_LEASE_SECONDS: seconds(1, 86_400).default(600),
    /**
     * How to settle a send that was in flight when its dispatcher died: `sink-folder` looks for its
     * Message-ID among the messages the local sink stored (KYBAO_MAIL_SINK_DIR); `none` sends it again
     * with the same Message-ID; `auto` is sink-folder when SMTP_HOST is loopback, else none.
     */
    MAIL_IN_DOUBT_CHECK: z.enum(['auto', 'sink-folder', 'none']).default('auto'),
    /** Run the outbox dispatcher in the worker process (false: another process delivers). */
    MAIL_DISPATCHER: flag.default(true),
    KYBAO_MAIL_TEMPLATES_DIR: z.string().min(1).default('templates/mail'),
    KYBAO_MAIL_SINK_DIR: z.string().default('.data/mail'),
    KYBAO_REPORTS_DIR: z.string().default('.data/reports'),

    // --- agency links and the web app -------------------------------------------------------------
    /**
     * Key of the HMAC-SHA256 that signs agency links (infra/links.ts). Required by the worker (every mail
     * carries a signed link) and the web process; the main job generates one into .data/link-secret.
     */
    KYBAO_LINK_SECRET: z.string().min(32, { error: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' }).optional(),
    /** A link stays valid this many days after its unit's cut-off (the round's last escalation). */
    KYBAO_LINK_DAYS_AFTER_CUTOFF: int(1, 3650).default(30),
    /** Key that signs the web app's cookies (the CSRF secret cookie among them); required by the web process. */
    KYBAO_SESSION_SECRET: z.string().min(32, { error: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' }).optional(),
    /** A staff sign-in lasts this long. */
    KYBAO_SESSION_HOURS: int(1, 24 * 30).default(8),
    KYBAO_WEB_HOST: z.string().min(1).default('127.0.0.1'),
    KYBAO_WEB_PORT: int(0, 65535).default(8080),
    /** Largest accepted report file, in bytes (default 50 MB). */
    KYBAO_UPLOAD_MAX_BYTES: int(1, 2 ** 31 - 1).default(50 * 1024 * 1024),
    /** File types accepted as reports: extensions, comma-separated. */
    KYBAO_UPLOAD_TYPES: z
      .string()
      .default('pdf,doc,docx,xls,xlsx,odt,ods,zip,jpg,png')
      .transform((v) => [...new Set(v.split(',').map((t) => t.trim().toLowerCase().replace(/^\./, '')).filter(Boolean))])
      .refine((types) => types.length > 0 && types.every((t) => /^[a-z0-9]{1,10}$/.test(t)), { error: 'must be file extensions separated by commas, e.g. pdf,docx,xlsx' }),
    /** Where report files are kept: the local folder (one machine) or the database (shared by every machine). */
    KYBAO_STORAGE: z.enum(['local', 'database'], { error: 'must be local or database' }).default('local'),
    KYBAO_SUBMISSIONS_DIR: z.string().min(1).default('.data/submissions'),
    /** Sign-in attempts per minute and address. */
    KYBAO_RATE_LIMIT_LOGIN: int(1, 100_000).default(10),
    /** Requests to agency link endpoints per minute and address. */
    KYBAO_RATE_LIMIT_LINK: int(1, 100_000).default(120),

    // --- operations: logs, health, metrics, shutdown ----------------------------------------------
    /** Lowest level written to the JSON log (stdout, one object a line). */
    KYBAO_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error'], { error: 'must be trace, debug, info, warn or error' }).default('info'),
    /**
     * On SIGTERM/SIGINT the worker stops polling and lets the activities in flight finish for this long;
     * after it they are cancelled (and retried by Temporal on another worker).
     */
    KYBAO_WORKER_SHUTDOWN_GRACE_SECONDS: seconds(0, 3600).default(30),
    /**
     * Workflow tasks one worker process runs at once (the SDK's maxConcurrentWorkflowTaskExecutions, whose
     * default is 40). Workflow code runs on one thread, and a task's 10 s timeout counts from when the worker
     * takes it: 40 tasks taken at once on a busy 2-core machine (200 shards opening together at 10,000
     * units) waited their turn past it and timed out. Fewer slots leave the rest queued on the server, where
     * waiting costs nothing. Raise it on machines with more cores and several workflow threads.
     */
    KYBAO_WORKFLOW_TASK_SLOTS: int(2, 1_000).default(8),
    /**
     * What this worker process polls: `all` (workflow and activity tasks, and the outbox dispatcher),
     * `workflows` (workflow tasks only: no database, no mail) or `activities` (activity tasks and the
     * dispatcher). Run one `workflows` and one or more `activities` processes on the same task queue to keep
     * workflow tasks off the event loop that database queries and mail rendering keep busy: in one process
     * every workflow activation passes through that loop, so a burst's queries lengthen workflow tasks
     * (README, "A country, not only a province").
     */
    KYBAO_WORKER_ROLE: z.enum(['all', 'workflows', 'activities'], { error: 'must be all, workflows or activities' }).default('all'),
    /**
     * How long a workflow task may wait on the sticky queue of the worker that has its workflow cached
     * before the server moves it to the task queue any worker polls (the SDK's
     * stickyQueueScheduleToStartTimeout, default 10 s). Under a burst the wait is the worker being busy:
     * a 10,000-unit burst on 2 cores (scale scenario, commit 8abad6a, 30 Nov 2026) passed 10 s 259 times,
     * and each moved task had the same worker (the only one) replay that history from its start, more work
     * for a worker already behind. The price is after a crash: a task already on the dead worker's sticky
     * queue waits up to this long (the server sends new tasks to the normal queue at once when the sticky
     * queue has had no poller for 10 s, temporalio/temporal#2811). Lower it where workers come and go often.
     */
    KYBAO_STICKY_QUEUE_TIMEOUT_SECONDS: seconds(1, 600).default(30),
    /** The worker's /healthz and /readyz listener. Unset: no listener (a deployment sets a port, e.g. 8091). */
    KYBAO_WORKER_HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
    KYBAO_WORKER_HEALTH_PORT: int(0, 65535).optional(),
    /**
     * host:port where the worker serves Prometheus metrics at /metrics (the Temporal SDK's own, e.g.
     * temporal_workflow_task_execution_latency). Unset: no metrics endpoint.
     */
    KYBAO_METRICS_ADDRESS: z
      .string()
      .regex(/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):\d{1,5}$/, { error: 'must be host:port, e.g. 0.0.0.0:9464' })
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.SMTP_PASSWORD !== undefined && env.SMTP_USER === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_USER'], message: 'is required when SMTP_PASSWORD is set' });
    }
    if (env.SMTP_USER !== undefined && env.SMTP_PASSWORD === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_PASSWORD'], message: 'is required when SMTP_USER is set' });
    }
    if (env.SMTP_SECURE && env.SMTP_REQUIRE_TLS) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_REQUIRE_TLS'], message: 'applies to STARTTLS only; with SMTP_SECURE=true the connection is TLS already' });
    }
    if (env.MAIL_RETRY_MAX_SECONDS < env.MAIL_RETRY_INITIAL_SECONDS) {
      ctx.addIssue({ code: 'custom', path: ['MAIL_RETRY_MAX_SECONDS'], message: `must be at least MAIL_RETRY_INITIAL_SECONDS (${env.MAIL_RETRY_INITIAL_SECONDS})` });
    }
    if (env.MAIL_CLAIM_LEASE_SECONDS <= env.SMTP_TIMEOUT_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['MAIL_CLAIM_LEASE_SECONDS'],
        message: `must be longer than SMTP_TIMEOUT_SECONDS (${env.SMTP_TIMEOUT_SECONDS}), or a slow send could be taken over while it is still running`,
      });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

/** Variables whose values are never repeated in an error message or a log line. */
const SECRET = new Set(['SMTP_PASSWORD', 'TEMPORAL_TLS_KEY', 'KYBAO_LINK_SECRET', 'KYBAO_SESSION_SECRET']);

export class EnvError extends Error {
  override name = 'EnvError';
  constructor(
    readonly problems: Array<{ variable: string; message: string }>,
  ) {
    super(`invalid environment: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`);
  }
}

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // An empty variable means "not set" (shells and compose files often export FOO= for nothing).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => {
    const variable = String(i.path[0] ?? '(environment)');
    const value = cleaned[variable];
    const shown = value === undefined ? '' : SECRET.has(variable) ? ' (value hidden)' : ` ("${redact(variable, value)}")`;
    return { variable, message: `${i.message}${shown}` };
  });
  throw new EnvError(problems);
}

function redact(variable: string, value: string): string {
  const short = value.length > 200 ? `${value.slice(0, 200)}…` : value;
  // URLs may carry credentials (postgresql://user:password@host/db).
  return /URL$/.test(variable) ? short.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:****@') : short;
}

/** The configuration with secrets masked, for start-up banners and logs. */
export function describeEnv(env: Env): Record<string, unknown> {
  return {
    ...env,
    SMTP_PASSWORD: env.SMTP_PASSWORD ? '********' : undefined,
    KYBAO_LINK_SECRET: env.KYBAO_LINK_SECRET ? '********' : undefined,
    KYBAO_SESSION_SECRET: env.KYBAO_SESSION_SECRET ? '********' : undefined,
    DATABASE_URL: redact('DATABASE_URL', env.DATABASE_URL),
  };
}

/** True for the hosts the embedded sink listens on. */
export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

/** The link secret, or a clear error for a process that cannot run without it (the worker, the web app). */
export function requireLinkSecret(env: Env, who: string): string {
  if (!env.KYBAO_LINK_SECRET) {
    throw new EnvError([{ variable: 'KYBAO_LINK_SECRET', message: `is required by ${who}: set it to a random string of at least 32 characters (e.g. \`openssl rand -hex 32\`), the same for every process` }]);
  }
  return env.KYBAO_LINK_SECRET;
}
