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
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type FunctionSpec, houseEnvironment } from '../config/functions';
import type { StageConfig } from '../config/stage-config';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LabelerFunctionProps {
  spec: FunctionSpec;
  /** The function's own variables (the house ones are added). */
  environment: Record<string, string>;
  timeout: Duration;
  memorySize?: number;
  config: StageConfig;
  removalPolicy: RemovalPolicy;
}

/** The esbuild settings a function ships with (the benchmark bundles with the same ones). */
export const BUNDLING = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  format: OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  // The X-Ray SDK inside Powertools Tracer uses require(); an ESM bundle needs one.
  banner: "import{createRequire}from'module';const require=createRequire(import.meta.url);",
  // The Node.js 24 runtime provides AWS SDK v3; leaving it out keeps bundles small and cold starts short.
  externalModules: ['@aws-sdk/*'],
} as const;

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
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[config.functionLogLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      logGroup: this.logGroup,
      bundling: {
        ...BUNDLING,
        mainFields: [...BUNDLING.mainFields],
        externalModules: [...BUNDLING.externalModules],
      },
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
