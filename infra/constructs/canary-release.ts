/**
 * Gradual release of one function: a CodeDeploy deployment group on its `live` alias and the
 * alarms that roll it back. The alarms watch the NEW version only: AWS/Lambda metrics with the
 * dimensions FunctionName + Resource (`<name>:live`) + ExecutedVersion (the version being
 * deployed). An alias-wide metric would mix the old version's traffic into the verdict.
 *
 * `Version.metric()` is not used: it renders Resource from the function ARN, which never
 * matches the name-based Resource value Lambda publishes (aws/aws-cdk#14248).
 * Direct invocations of a version by the pre-traffic hook carry Resource `<name>:<version>`,
 * so its expected smoke failures never reach these alarms.
 */
import { ArnFormat, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SMOKE_PREFIX } from '../../functions/core/smoke';
import type { DeploymentConfig } from '../config/delivery-config';
import { ALIAS_NAME, DEPLOYMENT_HOOK_TIMEOUT_SECONDS } from '../config/functions';
import type { StageConfig } from '../config/stage-config';
import { nagResourceFinding } from '../nag';
import { DeploymentHookFunction } from './deployment-hook-function';
import type { LabelerFunction } from './labeler-function';

const PERIOD = Duration.minutes(1);

/** AWS/Lambda dimensions of the alias, optionally narrowed to one executed version. */
export function aliasDimensions(fn: lambda.IFunction, executedVersion?: string): Record<string, string> {
  return {
    FunctionName: fn.functionName,
    Resource: `${fn.functionName}:${ALIAS_NAME}`,
    ...(executedVersion ? { ExecutedVersion: executedVersion } : {}),
  };
}

export function lambdaMetric(
  metricName: string,
  statistic: string,
  dimensionsMap: Record<string, string>,
  period: Duration = PERIOD,
): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName, statistic, period, dimensionsMap });
}

/** The stage's deployment configuration as a CodeDeploy config (custom ones are created in `scope`). */
export function deploymentConfigFor(
  scope: Construct,
  config: DeploymentConfig,
): codedeploy.ILambdaDeploymentConfig {
  switch (config.type) {
    case 'predefined':
      return codedeploy.LambdaDeploymentConfig[config.name];
    case 'canary':
      return new codedeploy.LambdaDeploymentConfig(scope, 'CanaryConfig', {
        trafficRouting: new codedeploy.TimeBasedCanaryTrafficRouting({
          interval: Duration.minutes(config.intervalMinutes),
          percentage: config.percentage,
        }),
      });
    case 'linear':
      return new codedeploy.LambdaDeploymentConfig(scope, 'LinearConfig', {
        trafficRouting: new codedeploy.TimeBasedLinearTrafficRouting({
          interval: Duration.minutes(config.intervalMinutes),
          percentage: config.percentage,
        }),
      });
  }
}

/** A deployment group's ARN from fixed names (no reference: see CanaryRelease). */
export function deploymentGroupArn(scope: Construct, applicationName: string, groupName: string): string {
  return Stack.of(scope).formatArn({
    service: 'codedeploy',
    resource: 'deploymentgroup',
    resourceName: `${applicationName}/${groupName}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** The actions a hook needs to write and remove its smoke objects, on the reserved prefix only. */
export function grantSmokeObjects(hook: DeploymentHookFunction, bucket: s3.IBucket): void {
  const smokeObjects = bucket.arnForObjects(`${SMOKE_PREFIX}*`);
  hook.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      resources: [smokeObjects],
    }),
  );
  Validations.of(hook.role).acknowledge({
    id: nagResourceFinding(hook, 'AwsSolutions-IAM5', smokeObjects),
    reason: `Smoke objects have fixed keys under the reserved ${SMOKE_PREFIX} prefix; each run deletes the versions it wrote.`,
  });
}

export interface CanaryReleaseProps {
  target: LabelerFunction;
  application: codedeploy.ILambdaApplication;
  /** The application's fixed name (for ARNs built without references). */
  applicationName: string;
  deploymentConfig: codedeploy.ILambdaDeploymentConfig;
  /** The new version's p99 budget. */
  durationP99: Duration;
  /** The AfterAllowTraffic hook (shared by the stack's groups), if any. */
  postHook?: lambda.IFunction | undefined;
  bucket: s3.IBucket;
  config: StageConfig;
  removalPolicy: RemovalPolicy;
}

/**
 * The hooks are wired by hand rather than with the deployment group's preHook/postHook: those
 * grant PutLifecycleEventHookExecutionStatus on the group's ARN by reference, and the group
 * references its alarms, which reference the function. With the post-traffic hook shared, and
 * the state machine (which start-workflow references) depending on the task aliases, which
 * depend on the hooks, that closes a cycle. Fixed names break it.
 */
export class CanaryRelease extends Construct {
  readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;
  readonly preTrafficHook: DeploymentHookFunction;
  readonly deploymentGroupArn: string;
  readonly target: LabelerFunction;
  readonly errorsAlarm: cloudwatch.Alarm;
  readonly throttlesAlarm: cloudwatch.Alarm;
  readonly durationAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    this.target = props.target;
    const alarms = this.rollbackAlarms(props);
    this.errorsAlarm = alarms.errors;
    this.throttlesAlarm = alarms.throttles;
    this.durationAlarm = alarms.duration;
    this.deploymentGroup = this.deploymentGroupFor(props);
    // The deployment group is named after the function.
    this.deploymentGroupArn = deploymentGroupArn(this, props.applicationName, props.target.spec.handlerDir);
    this.preTrafficHook = this.preTrafficHookFor(props);
    this.wireHooks(props);
  }

  /** What CodeDeploy watches: the new version's errors (against the alias's), throttles and p99. */
  private rollbackAlarms(props: CanaryReleaseProps): {
    errors: cloudwatch.Alarm;
    throttles: cloudwatch.Alarm;
    duration: cloudwatch.Alarm;
  } {
    const { rollback } = props.config.delivery;
    const fn = props.target.function;
    const newVersion = aliasDimensions(fn, fn.currentVersion.version);
    const wholeAlias = aliasDimensions(fn);
    const name = props.target.spec.handlerDir;

    const errors = new cloudwatch.MathExpression({
      // Percentage points by which the new version's error rate exceeds the alias's (both
      // versions together), judged only once the new version has enough invocations.
      expression: `IF(FILL(newInvocations, 0) >= ${rollback.minInvocations}, 100 * (FILL(newErrors, 0) / newInvocations - FILL(allErrors, 0) / allInvocations), 0)`,
      usingMetrics: {
        newInvocations: lambdaMetric('Invocations', 'Sum', newVersion),
        newErrors: lambdaMetric('Errors', 'Sum', newVersion),
        allInvocations: lambdaMetric('Invocations', 'Sum', wholeAlias),
        allErrors: lambdaMetric('Errors', 'Sum', wholeAlias),
      },
      label: `${name} new version error rate above the alias's (points)`,
      period: PERIOD,
    }).createAlarm(this, 'Errors', {
      alarmDescription: `Rolls back ${name}: its new version fails more often than the version it replaces.`,
      threshold: rollback.errorRateRegressionPoints,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const throttles = lambdaMetric('Throttles', 'Sum', newVersion).createAlarm(this, 'Throttles', {
      alarmDescription: `Rolls back ${name}: its new version is throttled.`,
      threshold: rollback.throttles,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const duration = lambdaMetric('Duration', 'p99', newVersion).createAlarm(this, 'Duration', {
      alarmDescription: `Rolls back ${name}: its new version's p99 duration is over ${props.durationP99.toMilliseconds()} ms.`,
      threshold: props.durationP99.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return { errors, throttles, duration };
  }

  /** The deployment group, named after the function, rolling back on any of the alarms. */
  private deploymentGroupFor(props: CanaryReleaseProps): codedeploy.LambdaDeploymentGroup {
    const group = new codedeploy.LambdaDeploymentGroup(this, 'DeploymentGroup', {
      application: props.application,
      deploymentGroupName: props.target.spec.handlerDir,
      alias: props.target.alias,
      deploymentConfig: props.deploymentConfig,
      alarms: [this.errorsAlarm, this.throttlesAlarm, this.durationAlarm],
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    Validations.of(group.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason:
        "CodeDeploy's own service role for Lambda deployments (added by LambdaDeploymentGroup): it shifts alias weights and reads alarms.",
    });
    return group;
  }

  /** The pre-traffic hook of this function only: it tests exactly the version being deployed. */
  private preTrafficHookFor(props: CanaryReleaseProps): DeploymentHookFunction {
    const { target } = props;
    const fn = target.function;
    const plan = target.spec.smokePlan;
    const hook = new DeploymentHookFunction(this, 'PreTraffic', {
      entry: 'pre-traffic',
      description: `CodeDeploy BeforeAllowTraffic of ${target.spec.handlerDir}: invokes the new version with a smoke event.`,
      timeout: Duration.seconds(DEPLOYMENT_HOOK_TIMEOUT_SECONDS['pre-traffic']),
      environment: {
        TARGET_FUNCTION_ARN: fn.currentVersion.functionArn,
        SMOKE_PLAN: plan,
        IMAGES_BUCKET_NAME: props.bucket.bucketName,
      },
      config: props.config,
      removalPolicy: props.removalPolicy,
    });
    hook.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [fn.currentVersion.functionArn],
      }),
    );
    if (plan === 'validate-image') grantSmokeObjects(hook, props.bucket);
    this.grantReport(hook.role);
    return hook;
  }

  /** What deploymentGroup.addPreHook/addPostHook would do, by name instead of by reference. */
  private wireHooks(props: CanaryReleaseProps): void {
    const { target, postHook } = props;
    const cfnAlias = target.alias.node.defaultChild as lambda.CfnAlias;
    const update = cfnAlias.cfnOptions.updatePolicy?.codeDeployLambdaAliasUpdate;
    if (!update) throw new Error(`The ${target.spec.handlerDir} alias has no CodeDeploy update policy.`);
    cfnAlias.cfnOptions.updatePolicy = {
      ...cfnAlias.cfnOptions.updatePolicy,
      codeDeployLambdaAliasUpdate: {
        ...update,
        beforeAllowTrafficHook: this.preTrafficHook.function.functionName,
        ...(postHook ? { afterAllowTrafficHook: postHook.functionName } : {}),
      },
    };
    this.deploymentGroup.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.preTrafficHook.function.functionArn, ...(postHook ? [postHook.functionArn] : [])],
      }),
    );
    // The hooks are updated (new target version, new grant) before the alias, whose update is
    // what starts the deployment.
    target.alias.node.addDependency(this.preTrafficHook, ...(postHook ? [postHook] : []));
  }

  /** Lets a hook report on this group's deployments. */
  grantReport(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['codedeploy:PutLifecycleEventHookExecutionStatus'],
        resources: [this.deploymentGroupArn],
      }),
    );
  }

  /** The alarms CodeDeploy watches during a deployment of this function. */
  get alarms(): cloudwatch.Alarm[] {
    return [this.errorsAlarm, this.throttlesAlarm, this.durationAlarm];
  }
}
