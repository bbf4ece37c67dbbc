import { bundleWorkflowCode } from '@temporalio/worker';
import { resolve } from 'node:path';

function collectingLogger(errors: string[]) {
  const ignore = () => undefined;
  return { trace: ignore, debug: ignore, info: ignore, warn: ignore, log: ignore, error: (m: string) => void errors.push(m) };
}

/**
 * Workflow code imports domain/calendar and domain/program; Temporal's bundler refuses Node built-ins
 * such as fs, so bundling them is the cheapest proof they stay sandbox-safe (load-file.ts is the one
 * module allowed to read files, and no barrel may re-export it).
 */
describe('domain modules bundle for the workflow sandbox', () => {
  test.each(['domain/calendar/index.ts', 'domain/program/index.ts', 'domain/forms/index.ts', 'domain/compilation/index.ts'])('%s', async (entry) => {
    const errors: string[] = [];
    const bundle = await bundleWorkflowCode({ workflowsPath: resolve(__dirname, '../..', entry), logger: collectingLogger(errors) });
    expect(errors).toEqual([]);
    expect(bundle.code.length).toBeGreaterThan(0);
  });

  test('the file loader is what the bundler rejects (it imports fs)', async () => {
    const errors: string[] = [];
    await expect(
      bundleWorkflowCode({ workflowsPath: resolve(__dirname, '../../domain/program/load-file.ts'), logger: collectingLogger(errors) }),
    ).rejects.toThrow(/Webpack finished with errors/);
    expect(errors.join('\n')).toMatch(/\bfs\b/);
  });
});
