/**
 * Local Step Functions endpoint (AWS JSON 1.0) that runs the real ASL with aws-local-stepfunctions.
 * Importing this module installs the Promise.withResolvers polyfill first (see ./polyfill).
 */
import './polyfill';

export { substituteDefinition } from '../../infra/asl/substitute';
export { analyzeDefinition, prepareRunDefinition } from './definition';
export { SfnServiceError } from './errors';
export { HistoryRecorder } from './history';
export { assertPromiseWithResolvers, installPromiseWithResolvers } from './polyfill';
export {
  type CreateStateMachineInput,
  createStepFunctionsService,
  type InvokeLambda,
  lambdaErrorToTaskError,
  normalizeFunctionArn,
  type StartExecutionInput,
  type StepFunctionsService,
  type StepFunctionsServiceOptions,
  validateName,
} from './service';
