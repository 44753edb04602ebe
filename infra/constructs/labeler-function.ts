/**
 * The house Lambda function: every function of the project is one of these, so runtime,
 * architecture, bundling, tracing, logging and the `live` alias are set in one place.
 * Callers (Step Functions, SQS, API Gateway) always target `alias`, never the function, so a
 * CodeDeploy canary on the alias really splits their traffic.
 */
import { fileURLToPath } from 'node:url';
import { type Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type AwsSdkSource, BUNDLING, externalModules } from '../config/bundling';
import { type FunctionSpec, houseEnvironment } from '../config/functions';
import type { StageConfig } from '../config/stage-config';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LabelerFunctionProps {
  spec: FunctionSpec;
  /** The function's own variables (the house ones are added). */
  environment: Record<string, string>;
  timeout: Duration;
  config: StageConfig;
  removalPolicy: RemovalPolicy;
}

/** {@link BUNDLING} in the shape NodejsFunction takes, with the stage's AWS SDK source. */
export function nodejsBundling(awsSdk: AwsSdkSource): BundlingOptions {
  return {
    ...BUNDLING,
    format: BUNDLING.format === 'esm' ? OutputFormat.ESM : OutputFormat.CJS,
    mainFields: [...BUNDLING.mainFields],
    bundleAwsSDK: awsSdk === 'bundled',
    externalModules: externalModules(awsSdk),
  };
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
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: config.logRetentionDays,
      removalPolicy: props.removalPolicy,
    });
    // Its own role, allowed to write only to its own log group (instead of the managed
    // AWSLambdaBasicExecutionRole, which allows every log group in the account).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${spec.handlerDir}`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new NodejsFunction(this, 'Function', {
      role: this.role,
      entry: `${ROOT}functions/${spec.handlerDir}/handler.ts`,
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      description: spec.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[config.functionLogLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      logGroup: this.logGroup,
      bundling: nodejsBundling(config.awsSdk),
      environment: { ...houseEnvironment(spec, config), ...props.environment },
      currentVersionOptions: { removalPolicy: props.removalPolicy },
    });
    this.alias = new lambda.Alias(this, 'Live', {
      aliasName: 'live',
      version: this.function.currentVersion,
      description: 'The version callers invoke; CodeDeploy shifts it gradually.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions.',
    });
  }
}
