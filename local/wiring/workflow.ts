/** The label-image workflow: its five task functions and the real ASL on the local engine. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTIONS, type FunctionContext } from '../../infra/config/functions';
import { LABEL_IMAGE_ASL_PATH } from '../../infra/config/timing';
import { createStepFunctionsService, substituteDefinition } from '../stepfunctions';
import type { FunctionHost } from './functions';
import { ACCOUNT_ID, type LocalNames, REGION, type Stopper } from './names';

export interface WorkflowOptions {
  host: FunctionHost;
  context: FunctionContext;
  names: LocalNames;
  dataDir: string;
  retryIntervalScale: number;
  stoppers: Stopper[];
}

export function createWorkflow(options: WorkflowOptions) {
  const { host, names, stoppers } = options;
  const tasks = [
    FUNCTIONS.claim,
    FUNCTIONS.validate,
    FUNCTIONS.detect,
    FUNCTIONS.store,
    FUNCTIONS.record,
  ].map((spec) => ({ spec, fn: host.make(spec, options.context) }));
  const stepFunctions = createStepFunctionsService({
    region: REGION,
    accountId: ACCOUNT_ID,
    historyDir: join(options.dataDir, 'stepfunctions'),
    retryIntervalScale: options.retryIntervalScale,
    invokeLambda: (functionArn, payload) => host.invoke(functionArn, payload),
  });
  stoppers.push(() => stepFunctions.settled());
  const definition = substituteDefinition(
    readFileSync(LABEL_IMAGE_ASL_PATH, 'utf8'),
    Object.fromEntries(tasks.map(({ spec, fn }) => [spec.placeholder, fn.arn('live')])),
  );
  const { stateMachineArn } = stepFunctions.createStateMachine({
    name: names.stateMachine,
    definition,
    type: 'EXPRESS',
  });
  const detect = tasks.find(({ spec }) => spec === FUNCTIONS.detect)?.fn;
  return { stepFunctions, stateMachineArn, detect };
}
