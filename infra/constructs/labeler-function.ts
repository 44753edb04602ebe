/**
 * The house Lambda function: every function of the project is one of these (the deployment
 * hooks share its settings through houseFunction), so runtime, architecture, bundling,
 * tracing, logging and the `live` alias are set in one place.
 * Callers (Step Functions, SQS, API Gateway) always target `alias`, never the function, so a
 * CodeDeploy canary on the alias really splits their traffic.
 */
import { fileURLToPath } from 'node:url';
import { type Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  type BundlingOptions,
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type AwsSdkSource, BUNDLING, bundlingDefine, externalModules } from '../config/bundling';
import { ALIAS_NAME, type FunctionSpec, houseEnvironment } from '../config/functions';
import type { StageConfig } from '../config/stage-config';
import { grantPermissions, type PermissionResources } from './function-permissions';
import { grantPutImageEvents } from './image-events';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LabelerFunctionProps {
  spec: FunctionSpec;
  /** The function's own variables (the house ones are added). */
  environment: Record<string, string>;
  timeout: Duration;
  config: StageConfig;
  removalPolicy: RemovalPolicy;
  /** The resources its spec's permissions name (the stack's table, bucket, queue...). */
  resources: PermissionResources;
}

/** {@link BUNDLING} in the shape NodejsFunction takes, with the stage's AWS SDK source and tracing. */
export function nodejsBundling(awsSdk: AwsSdkSource, tracing: StageConfig['tracing']): BundlingOptions {
  return {
    ...BUNDLING,
    define: bundlingDefine(tracing),
    format: BUNDLING.format === 'esm' ? OutputFormat.ESM : OutputFormat.CJS,
    mainFields: [...BUNDLING.mainFields],
    bundleAwsSDK: awsSdk === 'bundled',
    externalModules: externalModules(awsSdk),
  };
}

/** What {@link houseFunction} makes: the function, its own role and its own log group. */
export interface HouseFunction {
  function: NodejsFunction;
  role: iam.Role;
  logGroup: logs.LogGroup;
}

export interface HouseFunctionProps {
  /** Handler module under functions/, without `.ts`. */
  entry: string;
  description: string;
  roleDescription: string;
  memorySize: number;
  timeout: Duration;
  /** Every variable the function gets (the house ones included). */
  environment: Record<string, string>;
  config: StageConfig;
  removalPolicy: RemovalPolicy;
  /** Anything else NodejsFunction takes (a version's removal policy, async retries). */
  extra?: Partial<NodejsFunctionProps>;
}

/**
 * The house settings, in `scope`: Node.js 24 on arm64, the shared esbuild bundling, X-Ray,
 * JSON logs to its own log group with the stage's retention, and its own role, allowed to
 * write only to that log group (instead of the managed AWSLambdaBasicExecutionRole, which
 * allows every log group in the account). Every function and hook is made here.
 */
export function houseFunction(scope: Construct, props: HouseFunctionProps): HouseFunction {
  const { config } = props;
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    retention: config.logRetentionDays,
    removalPolicy: props.removalPolicy,
  });
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription,
  });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  const fn = new NodejsFunction(scope, 'Function', {
    role,
    entry: `${ROOT}functions/${props.entry}.ts`,
    handler: 'handler',
    projectRoot: ROOT,
    depsLockFilePath: `${ROOT}package-lock.json`,
    description: props.description,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    tracing: lambda.Tracing.ACTIVE,
    loggingFormat: lambda.LoggingFormat.JSON,
    applicationLogLevelV2: lambda.ApplicationLogLevel[config.functionLogLevel],
    systemLogLevelV2: lambda.SystemLogLevel.WARN,
    logGroup,
    bundling: nodejsBundling(config.awsSdk, config.tracing),
    environment: props.environment,
    ...props.extra,
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions.',
  });
  return { function: fn, role, logGroup };
}

export class LabelerFunction extends Construct {
  readonly function: NodejsFunction;
  readonly alias: lambda.Alias;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  readonly spec: FunctionSpec;

  constructor(scope: Construct, id: string, props: LabelerFunctionProps) {
    super(scope, id);
    const { spec, config } = props;
    this.spec = spec;
    const made = houseFunction(this, {
      entry: `${spec.handlerDir}/handler`,
      description: spec.description,
      roleDescription: `Execution role of ${spec.handlerDir}`,
      memorySize: spec.memoryMb,
      timeout: props.timeout,
      environment: { ...houseEnvironment(spec, config), ...props.environment },
      config,
      removalPolicy: props.removalPolicy,
      extra: { currentVersionOptions: { removalPolicy: props.removalPolicy } },
    });
    this.function = made.function;
    this.role = made.role;
    this.logGroup = made.logGroup;
    // A function given the stage's bus (EVENT_BUS_NAME, infra/config/functions.ts) publishes
    // image events on it, and may publish on no other bus.
    const eventBusName = props.environment.EVENT_BUS_NAME;
    if (eventBusName) grantPutImageEvents(this.role, eventBusName);
    grantPermissions(this, { name: spec.handlerDir, ...made }, spec.permissions, props.resources);
    this.alias = new lambda.Alias(this, 'Live', {
      aliasName: ALIAS_NAME,
      version: this.function.currentVersion,
      description: 'The version callers invoke; CodeDeploy shifts it gradually.',
    });
  }
}
