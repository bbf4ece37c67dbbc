import { Worker } from '@temporalio/worker';
import { readHistoryFile } from '../../client/audit/history';
import { workflowBundle } from '../../client/simulate/environment';
async function main() {
  const file = process.argv[2]!;
  const history = readHistoryFile(file).history;
  const bundle = await workflowBundle();
  for (let i = 0; i < 3; i++) {
    const t = Date.now();
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, 'wf-' + i);
    console.log(`replay ${history.events?.length} events: ${Date.now() - t} ms`);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
