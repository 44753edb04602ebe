/**
 * The services behind the edge port besides the data services: SQS (the pipeline's queues and
 * any the user creates), EventBridge, CodeDeploy, AppConfigData, the Lambda API and Secrets
 * Manager; and the edge router that sends each request to its service (local/edge.ts).
 */
import type http from 'node:http';
import { join } from 'node:path';
import { imageEventBusName } from '../../functions/core/image-events';
import { flagsNames } from '../../infra/config/flags';
import type { StageConfig } from '../../infra/config/stage-config';
import { createSecretsManagerService, type LocalSecret } from '../api';
import { createAppConfigDataService } from '../appconfig';
import { createCodeDeployService } from '../codedeploy';
import { createEdgeRouter } from '../edge';
import { createEventBridgeService } from '../eventbridge';
import type { LocalFunction } from '../lambda';
import { createLambdaApi } from '../lambda/api';
import type { ManagedEventSourceMapping } from '../lambda/event-source-mappings';
import { createSqsService } from '../sqs';
import type { StepFunctionsService } from '../stepfunctions';
import type { DataServices } from './data-services';
import { ACCOUNT_ID, type LogLine, REGION, type Stopper } from './names';

export interface EdgeServicesOptions {
  dataDir: string;
  config: StageConfig;
  data: DataServices;
  stepFunctions: Pick<StepFunctionsService, 'handler'>;
  functions: ReadonlyMap<string, LocalFunction>;
  cursorSecret: LocalSecret;
  /** The feature flags document the local AppConfigData serves. */
  flagsFile: string;
  onLog: LogLine;
  stoppers: Stopper[];
}

export function openEdgeServices(options: EdgeServicesOptions) {
  const { dataDir, config, data, onLog } = options;
  // Users may add queues of their own (CreateQueue), e.g. as targets of rules on the event bus.
  const sqs = createSqsService({
    queues: [data.queue, data.deadLetterQueue],
    dir: join(dataDir, 'sqs'),
    region: REGION,
    accountId: ACCOUNT_ID,
  });
  options.stoppers.push(() => sqs.close());
  // EventBridge: the default bus and the image events' bus; rules and targets persist (local/eventbridge).
  const events = createEventBridgeService({
    dir: join(dataDir, 'events'),
    region: REGION,
    accountId: ACCOUNT_ID,
    eventBusNames: [imageEventBusName(config.stage)],
    findQueue: (arn) => sqs.queueByArn(arn),
    log: (message) => onLog('eventbridge', message),
  });
  const codedeploy = createCodeDeployService();
  // Feature flags: the local AppConfigData serves the flags file (re-read at every poll), and
  // the Lambda API lets apply-flags switch the event source mapping (local/appconfig, local/lambda).
  const appconfig = createAppConfigDataService({
    file: options.flagsFile,
    names: flagsNames(config.stage),
    limits: { maxIngestConcurrency: config.ingest.maxConcurrency },
    onProblem: (message) => onLog('appconfig', message),
  });
  const mappings: ManagedEventSourceMapping[] = [];
  const handler: http.RequestListener = createEdgeRouter({
    s3: data.s3.handler,
    dynamodb: data.dynamodb.handler,
    sqs: sqs.handler,
    states: options.stepFunctions.handler,
    rekognition: data.rekognition.handler,
    appconfig: appconfig.handler,
    lambda: createLambdaApi({ mappings, functionNamed: (name) => options.functions.get(name) }),
    codedeploy: codedeploy.handler,
    events: events.handler,
    secretsmanager: createSecretsManagerService([options.cursorSecret]),
  });
  return { appconfig, codedeploy, mappings, handler };
}
