import { execFileSync } from 'node:child_process';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

/**
 * Path of a Temporal server executable built by scripts/toolchain.sh. The test script exports both paths
 * once; running a single test file directly asks the toolchain script (which reuses its cache).
 */
export function temporalExecutable(kind: 'cli' | 'test-server'): string {
  const fromEnv = kind === 'cli' ? process.env.KYBAO_TEMPORAL_CLI : process.env.KYBAO_TEST_SERVER;
  if (fromEnv) return fromEnv;
  return execFileSync('bash', [path.join(repoRoot, 'scripts/toolchain.sh'), kind], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

export { repoRoot };
