// Every workflow type the worker registers; the bundler starts from this file.
export { skeletonWorkflow } from './skeleton';
export { roundWorkflow } from './round';
export { yearlyCycleWorkflow } from './cycle';
export { programWorkflow } from './program';
