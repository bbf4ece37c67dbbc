import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { REPO_ROOT } from '../infra/db/database-url';
import type { Machine } from './results';

/** The machine a run measured: figures from different machines are not comparable. */
export function describeMachine(): Machine {
  const cpus = os.cpus();
  const git = (...args: string[]): string | null => {
    try {
      return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    commit: git('rev-parse', 'HEAD'),
    dirty: (git('status', '--porcelain') ?? '') !== '',
  };
}
