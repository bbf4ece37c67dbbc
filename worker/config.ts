import { z } from 'zod';

/**
 * Everything a kybao process reads from its environment, validated once at start-up so a wrong value
 * stops it with the variable's name instead of failing later in the middle of a round.
 */
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const EnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  TEMPORAL_TLS_CA: z.string().optional(),
  KYBAO_TASK_QUEUE: z.string().min(1).default('kybao'),
  DATABASE_URL: z.string().min(1).default('file:./.data/kybao.db'),
  SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(2525),
  SMTP_SECURE: flag.default(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  SMTP_RATE_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(10),
  MAIL_FROM: z.string().min(3).default('kybao <no-reply@kybao.example>'),
  KYBAO_BASE_URL: z.url().default('http://127.0.0.1:8080'),
  KYBAO_MAIL_SINK_DIR: z.string().default('.data/mail'),
  KYBAO_REPORTS_DIR: z.string().default('.data/reports'),
});

export type Env = z.infer<typeof EnvSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new Error(`invalid environment: ${problems.join('; ')}`);
}

/** The configuration with secrets masked, for start-up banners and logs. */
export function describeEnv(env: Env): Record<string, unknown> {
  return { ...env, SMTP_PASSWORD: env.SMTP_PASSWORD ? '********' : undefined };
}
