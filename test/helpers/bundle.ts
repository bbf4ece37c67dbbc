import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { repoRoot } from './toolchain';

/**
 * Webpack-bundling the workflows takes seconds, so the jest global setup bundles once into a file and
 * every test file's workers load that file.
 */
export const bundlePath = path.join(repoRoot, '.data/test/workflow-bundle.js');

export async function writeWorkflowBundle(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve(path.join(repoRoot, 'workflows')),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
  });
  await mkdir(path.dirname(bundlePath), { recursive: true });
  await writeFile(bundlePath, code);
}

let cached: { code: string } | undefined;

export async function workflowBundle(): Promise<{ code: string }> {
  if (!cached) {
    try {
      cached = { code: await readFile(bundlePath, 'utf8') };
    } catch {
      // A test file run on its own, without the global setup.
      await writeWorkflowBundle();
      cached = { code: await readFile(bundlePath, 'utf8') };
    }
  }
  return cached;
}
