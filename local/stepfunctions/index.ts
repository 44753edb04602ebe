/**
 * Local Step Functions endpoint (AWS JSON 1.0) that runs the real ASL with aws-local-stepfunctions.
 * Importing this module installs the Promise.withResolvers polyfill first (see ./polyfill).
 */
import './polyfill';

export { substituteDefinition } from '../../infra/asl/substitute';
export { analyzeDefinition, prepareRunDefinition } from './definition';
export { SfnServiceError } from './errors';
export { HistoryRecorder } from './history';
export { lambdaErrorToTaskError, normalizeFunctionArn } from './lambda-tasks';
export { assertPromiseWithResolvers, installPromiseWithResolvers } from './polyfill';
export { validateName } from './records';
export { createStepFunctionsService } from './service';
export type {
  CreateStateMachineInput,
  InvokeLambda,
  StartExecutionInput,
  StepFunctionsService,
  StepFunctionsServiceOptions,
} from './types';
