/**
 * A CodeDeploy lifecycle hook function: the house settings (Node.js 24 on arm64, the same
 * esbuild bundling, X-Ray, JSON logs, its own role and log group) but no `live` alias, because
 * CodeDeploy invokes hooks by function name and they are not released through a canary.
 */
import { fileURLToPath } from 'node:url';
import { type Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEPLOYMENT_HOOKS_MEMORY_MB, hookEnvironment } from '../config/functions';
import type { StageConfig } from '../config/stage-config';
import { nodejsBundling } from './labeler-function';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface DeploymentHookFunctionProps {
  /** File under functions/deployment-hooks/, without `.ts`. */
  entry: 'pre-traffic' | 'post-traffic';
  description: string;
  timeout: Duration;
  environment: Record<string, string>;
  config: StageConfig;
  removalPolicy: RemovalPolicy;
}

export class DeploymentHookFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DeploymentHookFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.config.logRetentionDays,
      removalPolicy: props.removalPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.entry} deployment hook`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new NodejsFunction(this, 'Function', {
      role: this.role,
      entry: `${ROOT}functions/deployment-hooks/${props.entry}.ts`,
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: DEPLOYMENT_HOOKS_MEMORY_MB,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[props.config.functionLogLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      logGroup: this.logGroup,
      // CodeDeploy invokes hooks asynchronously: a hook that crashed or could not send its
      // report gets Lambda's retries (it reports at most once per successful run).
      retryAttempts: 2,
      bundling: nodejsBundling(props.config.awsSdk),
      environment: { ...hookEnvironment(props.config), ...props.environment },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions.',
    });
  }
}
