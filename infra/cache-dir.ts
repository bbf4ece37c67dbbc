import os from 'node:os';
import path from 'node:path';

/**
 * kybao's cache folder outside the clone, shared with scripts/toolchain.sh (Temporal servers):
 * ${KYBAO_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/kybao}. Everything in it can be rebuilt; delete it freely.
 */
export function kybaoCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.KYBAO_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'kybao');
}
