// Every workflow type the worker registers; the bundler starts from this file.
export { skeletonWorkflow } from './skeleton';
export { roundWorkflow } from './round';
export { roundShardWorkflow } from './round-shard';
export { roundShardGroupWorkflow } from './round-shard-group';
export { yearlyCycleWorkflow } from './cycle';
export { estimatesWorkflow } from './estimates';
export { programWorkflow } from './program';
export { compiledReportWorkflow } from './compiled-report';
