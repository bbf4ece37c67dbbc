import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prebuiltWorkflowBundle, storeWorkflowBundle, type WorkflowBundleManifest } from '../../infra/workflow-bundle';
import { DIST_DIR } from '../../infra/workflow-bundle';

/**
 * The prebuilt workflow bundle is used only while every file webpack read still has the hash recorded
 * in its manifest; otherwise workers bundle the sources again (infra/workflow-bundle.ts).
 */
describe('prebuilt workflow bundle', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-bundle-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('matches while its inputs are unchanged; names the input that changed or went away', () => {
    const a = path.join(dir, 'a.ts');
    const b = path.join(dir, 'b.ts');
    writeFileSync(a, 'export const a = 1;\n');
    writeFileSync(b, 'export const b = 2;\n');
    const out = path.join(dir, 'dist');
    storeWorkflowBundle({ code: '/* bundle */', inputs: [a, b] }, out);
    expect(prebuiltWorkflowBundle(out)).toEqual({ bundle: { code: '/* bundle */' } });
    writeFileSync(b, 'export const b = 3;\n');
    expect(prebuiltWorkflowBundle(out)).toEqual({ stale: `${b} changed` });
    writeFileSync(b, 'export const b = 2;\n');
    expect(prebuiltWorkflowBundle(out)).toEqual({ bundle: { code: '/* bundle */' } });
    rmSync(a);
    expect(prebuiltWorkflowBundle(out)).toEqual({ stale: `${a} is gone` });
  });

  test('a bundle file that is not the one built, or none at all, is not used', () => {
    const out = path.join(dir, 'dist');
    expect(prebuiltWorkflowBundle(out)).toEqual({ stale: expect.stringMatching(/workflow-bundle\.js has not been built$/) });
    storeWorkflowBundle({ code: '/* bundle */', inputs: [] }, out);
    writeFileSync(path.join(out, 'workflow-bundle.js'), '/* truncat');
    expect(prebuiltWorkflowBundle(out)).toEqual({ stale: expect.stringMatching(/workflow-bundle\.js is not the file that was built$/) });
  });

  test("kybao's own bundle (built by the test setup) is current and records the workflow and domain sources", () => {
    expect(prebuiltWorkflowBundle()).toEqual({ bundle: { code: expect.stringContaining('roundWorkflow') } });
    const manifest = JSON.parse(readFileSync(path.join(DIST_DIR, 'workflow-bundle.json'), 'utf8')) as WorkflowBundleManifest;
    const files = manifest.inputs.map((i) => i.file);
    expect(files).toEqual(expect.arrayContaining(['workflows/index.ts', 'workflows/round.ts', 'domain/calendar/working-days.ts', 'node_modules/@temporalio/workflow/package.json']));
    // Activities are imported as types only: they are not in the bundle and do not invalidate it.
    expect(files.filter((f) => f.startsWith('activities/'))).toEqual([]);
  });
});
