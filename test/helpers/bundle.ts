import { buildTargets } from '../../scripts/build';
import { workflowBundle as kybaoWorkflowBundle, type WorkflowBundle } from '../../infra/workflow-bundle';

/**
 * The jest global setup brings dist/ up to date once (scripts/build.ts --if-stale: nothing when the
 * install step's build still matches the sources, about a second for the programs, seconds for the
 * workflow bundle): the CLI suites then run the compiled `kybao` (bin/kybao), and every test file's
 * workers load the prebuilt workflow bundle instead of bundling again.
 */
export async function buildIfStale(): Promise<void> {
  await buildTargets({ ifStale: true, log: (line) => process.stderr.write(`[kybao] test setup built ${line}\n`) });
}

/** The workflow code for test workers: the prebuilt bundle (a test file run on its own bundles once). */
export function workflowBundle(): Promise<WorkflowBundle> {
  return kybaoWorkflowBundle();
}
