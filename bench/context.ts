import { spawn } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

/** What every figure gets from bench/run.ts. */
export interface BenchContext {
  /** The smoke run: tiny workloads, one run each (test/bench/smoke.test.ts). */
  quick: boolean;
  /** Runs per measure; each figure's median is over this many. */
  runs: number;
  /** Round sizes N for round overhead and cost growth (--sizes); null: 100, 1,000 and 10,000 (--quick: 10). */
  sizes: number[] | null;
  /** Progress on stderr. */
  log(line: string): void;
  /** A folder for this run's throw-away files (removed at the end). */
  tmp: string;
  /** A Temporal dev server (`temporal server start-dev`, in memory) started on first use and shared. */
  devServer(): Promise<TestWorkflowEnvironment>;
}

export interface TimedRun {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and returns its wall time (spawn to exit, ms) and output. */
export function timeCommand(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, code, stdout, stderr }));
  });
}

/** Throws with the command's output when it failed. */
export function expectExit0(run: TimedRun, what: string): TimedRun {
  if (run.code !== 0) throw new Error(`${what} exited with ${run.code}\n${run.stderr.slice(-2000)}`);
  return run;
}
