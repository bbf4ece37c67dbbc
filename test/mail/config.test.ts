import { EnvError, describeEnv, readEnv } from '../../infra/config';

/** The environment is validated once at start-up; a wrong value names its variable, secrets never show. */
describe('mail configuration', () => {
  function problem(env: Record<string, string>): string {
    try {
      readEnv(env);
    } catch (err) {
      expect(err).toBeInstanceOf(EnvError);
      return (err as Error).message;
    }
    throw new Error('expected readEnv to refuse this environment');
  }

  test('defaults: the local sink, a pooled and rate-limited transport, dispatcher on', () => {
    expect(readEnv({})).toMatchObject({
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: 2525,
      SMTP_SECURE: false,
      SMTP_REQUIRE_TLS: false,
      SMTP_POOL_SIZE: 5,
      SMTP_RATE_PER_SECOND: 10,
      MAIL_FROM: 'kybao <no-reply@kybao.example>',
      KYBAO_BASE_URL: 'http://127.0.0.1:8080',
      MAIL_DISPATCHER: true,
      MAIL_IN_DOUBT_CHECK: 'auto',
      KYBAO_MAIL_TEMPLATES_DIR: 'templates/mail',
    });
  });

  test('a real server', () => {
    const env = readEnv({
      SMTP_HOST: 'smtp.thaibinh.gov.vn',
      SMTP_PORT: '465',
      SMTP_SECURE: 'true',
      SMTP_USER: 'kybao',
      SMTP_PASSWORD: 'correct horse battery staple',
      SMTP_POOL_SIZE: '3',
      SMTP_RATE_PER_SECOND: '2',
      MAIL_FROM: 'Sở TT&TT Thái Bình <kybao@thaibinh.gov.vn>',
      KYBAO_BASE_URL: 'https://kybao.thaibinh.gov.vn/',
    });
    expect(env).toMatchObject({ SMTP_PORT: 465, SMTP_SECURE: true, SMTP_POOL_SIZE: 3, KYBAO_BASE_URL: 'https://kybao.thaibinh.gov.vn' });
  });

  test.each([
    [{ SMTP_HOST: 'smtp://mail.example' }, /^invalid environment: SMTP_HOST must be a host name or IP address/],
    [{ SMTP_PORT: 'twenty-five' }, /SMTP_PORT must be a whole number \("twenty-five"\)/],
    [{ SMTP_PORT: '70000' }, /SMTP_PORT must be at most 65535/],
    [{ SMTP_SECURE: 'maybe' }, /SMTP_SECURE must be true or false/],
    [{ SMTP_POOL_SIZE: '0' }, /SMTP_POOL_SIZE must be at least 1/],
    [{ SMTP_RATE_PER_SECOND: '2.5' }, /SMTP_RATE_PER_SECOND must be a whole number/],
    [{ MAIL_FROM: 'kybao' }, /MAIL_FROM must be an address/],
    [{ MAIL_FROM: 'kybao <not an address>' }, /MAIL_FROM must be an address/],
    [{ KYBAO_BASE_URL: 'kybao.thaibinh.gov.vn' }, /KYBAO_BASE_URL must be an http\(s\) URL/],
    [{ KYBAO_BASE_URL: 'ftp://kybao.example' }, /KYBAO_BASE_URL must be an http\(s\) URL/],
    [{ SMTP_USER: 'kybao' }, /SMTP_PASSWORD is required when SMTP_USER is set/],
    [{ SMTP_SECURE: 'true', SMTP_REQUIRE_TLS: 'true' }, /SMTP_REQUIRE_TLS applies to STARTTLS only/],
    [{ MAIL_RETRY_INITIAL_SECONDS: '60', MAIL_RETRY_MAX_SECONDS: '10' }, /MAIL_RETRY_MAX_SECONDS must be at least MAIL_RETRY_INITIAL_SECONDS/],
    [{ MAIL_CLAIM_LEASE_SECONDS: '30', SMTP_TIMEOUT_SECONDS: '60' }, /MAIL_CLAIM_LEASE_SECONDS must be longer than SMTP_TIMEOUT_SECONDS/],
    [{ MAIL_IN_DOUBT_CHECK: 'ask' }, /MAIL_IN_DOUBT_CHECK/],
  ])('%j is refused, naming the variable', (env, message) => {
    expect(problem(env)).toMatch(message);
  });

  test('every wrong variable is named at once', () => {
    const message = problem({ SMTP_PORT: 'x', MAIL_FROM: 'nobody', KYBAO_BASE_URL: 'nowhere' });
    expect(message).toMatch(/SMTP_PORT/);
    expect(message).toMatch(/MAIL_FROM/);
    expect(message).toMatch(/KYBAO_BASE_URL/);
  });

  test('the password never appears: not in errors, not in the printed configuration', () => {
    const secret = 'S3cr3t-p@ss';
    const message = problem({ SMTP_PASSWORD: secret });
    expect(message).toMatch(/SMTP_USER is required when SMTP_PASSWORD is set/);
    expect(message).not.toContain(secret);
    const empty = problem({ SMTP_USER: 'kybao', SMTP_PASSWORD: secret, SMTP_PORT: 'bad' });
    expect(empty).not.toContain(secret);
    const env = readEnv({ SMTP_USER: 'kybao', SMTP_PASSWORD: secret, DATABASE_URL: 'postgresql://kybao:dbsecret@db.example/kybao' });
    const printed = JSON.stringify(describeEnv(env));
    expect(printed).not.toContain(secret);
    expect(printed).not.toContain('dbsecret');
    expect(describeEnv(env)).toMatchObject({ SMTP_PASSWORD: '********', DATABASE_URL: 'postgresql://kybao:****@db.example/kybao' });
  });
});
