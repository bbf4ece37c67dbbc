import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * Runs `bin/kybao` as a user would, and returns its exit code and output. That is the compiled CLI
 * (dist/cli.mjs): the jest global setup rebuilds dist/ when it is older than the sources.
 */
export const repoRoot = path.resolve(__dirname, '../..');
export const KYBAO = path.join(repoRoot, 'bin/kybao');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kybao(args: string[], env: Record<string, string> = {}, timeoutMs = 110_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(KYBAO, args, {
      cwd: repoRoot,
      env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kybao ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** A failure is one line on stderr, "kybao: <reason>", and a non-zero exit code. */
export function expectFailure(result: CliResult, reason: RegExp): void {
  if (result.code === 0) throw new Error(`expected a failure matching ${reason}, got exit 0\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  const lines = result.stderr.trim().split('\n').filter((l) => l.startsWith('kybao: '));
  if (lines.length !== 1 || !reason.test(lines[0]!)) {
    throw new Error(`expected one line "kybao: <reason>" matching ${reason}\nstderr: ${result.stderr}\nstdout: ${result.stdout}`);
  }
}

export function expectSuccess(result: CliResult): void {
  if (result.code !== 0) throw new Error(`expected exit 0, got ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
}
