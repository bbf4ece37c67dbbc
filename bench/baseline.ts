import path from 'node:path';
import { bundleWorkflows, type WorkflowBundle } from '../infra/workflow-bundle';

let bundle: Promise<WorkflowBundle> | undefined;

/** The baselines' workflow bundle (bench/workflows/baseline.ts), bundled once per bench process. */
export function baselineBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflows({ workflowsPath: path.join(__dirname, 'workflows/baseline.ts') }).then(({ code }) => ({ code }));
  return bundle;
}
