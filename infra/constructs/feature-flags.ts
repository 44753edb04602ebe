/**
 * Feature flags in AWS AppConfig: an application per stage, the stage's environment (with the
 * stage's alarms as rollback monitors), a feature-flags configuration profile whose hosted
 * version is config/flags.json, deployed with the stage's deployment strategy and checked by the
 * validate-flags function (an AppConfig Lambda validator, run at every deployment). Plus the read
 * permission of the functions that read flags (scoped to this application, environment and
 * profile) and the schedule of the apply-flags function (kill switch and ingest throttle).
 */
import { readFileSync } from 'node:fs';
import { Duration, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { validateFlagsDocument } from '../../functions/core/flags-validation';
import { FLAGS_DOCUMENT_PATH, flagsNames, flagsVersionLabel } from '../config/flags';
import type { StageConfig } from '../config/stage-config';
import type { LabelerFunction } from './labeler-function';
import { catalogMetric, emitterOf } from './monitoring/metrics';

export interface FeatureFlagsProps {
  config: StageConfig;
  /** The stage's alarms: a flags deployment in progress (or baking) is rolled back when one fires. */
  alarms?: cloudwatch.IAlarm[];
  /** The functions that read flags: their FlagsFallback metric is alarmed on and monitored too. */
  readers: LabelerFunction[];
  /**
   * The validate-flags function: AppConfig invokes its live alias before every deployment of a
   * flags version and refuses the deployment when it throws (functions/validate-flags).
   */
  validator?: LabelerFunction;
  /** Default: config/flags.json. */
  documentPath?: string;
}

export class FeatureFlags extends Construct {
  readonly application: appconfig.Application;
  readonly environment: appconfig.Environment;
  readonly profile: appconfig.HostedConfiguration;
  readonly strategy: appconfig.DeploymentStrategy;
  /** Any reader fell back to safe defaults: AppConfig unreachable, or a document they refuse. */
  readonly fallbackAlarm: cloudwatch.Alarm;
  readonly versionLabel: string;
  private readonly config: StageConfig;
  private validatorPermission: lambda.CfnPermission | undefined;

  constructor(scope: Construct, id: string, props: FeatureFlagsProps) {
    super(scope, id);
    const { config } = props;
    this.config = config;
    const names = flagsNames(config.stage);
    const text = checkedDocument(props.documentPath ?? FLAGS_DOCUMENT_PATH, config);
    this.versionLabel = flagsVersionLabel(text);

    this.application = new appconfig.Application(this, 'Application', {
      applicationName: names.application,
      description: `Image labeling (${config.stage}): feature flags of the pipeline.`,
    });
    this.fallbackAlarm = this.fallbackAlarmOf(props.readers);
    this.environment = this.monitoredEnvironment(names.environment, [
      this.fallbackAlarm,
      ...(props.alarms ?? []),
    ]);
    this.strategy = this.rolloutStrategy(names.application);

    this.profile = new appconfig.HostedConfiguration(this, 'Flags', {
      application: this.application,
      name: names.profile,
      description:
        'Pipeline flags: processing (kill switch), labelFilters, ingestThrottle. Source: config/flags.json.',
      type: appconfig.ConfigurationType.FEATURE_FLAGS,
      content: appconfig.ConfigurationContent.fromInlineJson(text),
      ...(props.validator ? { validators: [this.lambdaValidator(props.validator)] } : {}),
      versionLabel: this.versionLabel,
      deploymentStrategy: this.strategy,
      deployTo: [this.environment],
    });
    // The deployment invokes the validator: the permission exists first.
    if (this.validatorPermission) this.profile.node.addDependency(this.validatorPermission);
  }

  /** Any reader counted a fallback to the default flags in the last minute. */
  private fallbackAlarmOf(readers: FeatureFlagsProps['readers']): cloudwatch.Alarm {
    const fallbacks = readers.map((reader) =>
      catalogMetric(emitterOf('FlagsFallback', reader.spec.handlerDir), 'FlagsFallback', {
        statistic: 'Sum',
        period: Duration.minutes(1),
      }),
    );
    return new cloudwatch.Alarm(this, 'FallbackAlarm', {
      alarmDescription:
        'A function used the safe default flags: AppConfig was unreachable or the deployed flags are invalid.',
      metric: new cloudwatch.MathExpression({
        expression: fallbacks.map((_, index) => `FILL(m${index}, 0)`).join(' + '),
        usingMetrics: Object.fromEntries(fallbacks.map((metric, index) => [`m${index}`, metric])),
        period: Duration.minutes(1),
        label: 'FlagsFallback',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * The stage's environment, whose deployments roll back on the monitored alarms; with one role
   * for AppConfig to read them, scoped to them (the L2's own role would allow
   * cloudwatch:DescribeAlarms on every alarm).
   */
  private monitoredEnvironment(
    environmentName: string,
    monitored: cloudwatch.IAlarm[],
  ): appconfig.Environment {
    const { stage } = this.config;
    const monitorRole = new iam.Role(this, 'MonitorRole', {
      assumedBy: new iam.ServicePrincipal('appconfig.amazonaws.com'),
      description: `Lets AppConfig read the alarms that roll back a flags deployment in ${stage}.`,
      inlinePolicies: {
        alarms: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['cloudwatch:DescribeAlarms'],
              resources: monitored.map((alarm) => alarm.alarmArn),
            }),
          ],
        }),
      },
    });
    return new appconfig.Environment(this, 'Environment', {
      application: this.application,
      environmentName,
      description: `The ${stage} stage.`,
      monitors: monitored.map((alarm) => appconfig.Monitor.fromCloudWatchAlarm(alarm, monitorRole)),
    });
  }

  /** How a new flags version rolls out (the stage's growth, duration and bake time). */
  private rolloutStrategy(applicationName: string): appconfig.DeploymentStrategy {
    const { deployment } = this.config.flags;
    const rollout = {
      growthFactor: deployment.growthFactor,
      deploymentDuration: Duration.minutes(deployment.durationMinutes),
      finalBakeTime: Duration.minutes(deployment.finalBakeTimeMinutes),
    };
    return new appconfig.DeploymentStrategy(this, 'Strategy', {
      deploymentStrategyName: `${applicationName}-flags`,
      description: `Rollout of a new flags version in ${this.config.stage}.`,
      rolloutStrategy:
        deployment.growthType === 'EXPONENTIAL'
          ? appconfig.RolloutStrategy.exponential(rollout)
          : appconfig.RolloutStrategy.linear(rollout),
    });
  }

  /**
   * A LAMBDA validator on the live alias (LambdaValidator.fromFunction takes only a function, and
   * grants any AppConfig caller), and AppConfig's permission to invoke it, limited to this
   * account. Not by source ARN: AppConfig does not document the ARN it invokes validators with.
   */
  private lambdaValidator(validator: LabelerFunction): appconfig.IValidator {
    this.validatorPermission = new lambda.CfnPermission(this, 'ValidatorPermission', {
      action: 'lambda:InvokeFunction',
      functionName: validator.alias.functionArn,
      principal: 'appconfig.amazonaws.com',
      sourceAccount: Stack.of(this).account,
    });
    return { type: appconfig.ValidatorType.LAMBDA, content: validator.alias.functionArn };
  }

  /** The ARN that StartConfigurationSession and GetLatestConfiguration authorise against. */
  get configurationArn(): string {
    return Stack.of(this).formatArn({
      service: 'appconfig',
      resource: 'application',
      resourceName: `${this.application.applicationId}/environment/${this.environment.environmentId}/configuration/${this.profile.configurationProfileId}`,
    });
  }

  /**
   * Lets these functions read the flags of this stage, and nothing else. A policy of its own
   * (not the roles' default policy): the functions do not depend on it, so the environment's
   * monitors may alarm on them without a dependency cycle. Until it exists (first deployment
   * only), a function reading flags falls back to the safe defaults.
   */
  grantRead(...readers: LabelerFunction[]): iam.Policy {
    return new iam.Policy(this, 'ReadFlags', {
      statements: [
        new iam.PolicyStatement({
          actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
          resources: [this.configurationArn],
        }),
      ],
      roles: readers.map((reader) => reader.role),
    });
  }

  /**
   * Runs apply-flags on a schedule and lets it read and update exactly one event source
   * mapping: the kill switch disables it, the throttle sets its maximum concurrency.
   */
  applyOnSchedule(applier: LabelerFunction, eventSourceMappingArn: string): events.Rule {
    const seconds = this.config.flags.applyIntervalSeconds;
    if (seconds % 60 !== 0) {
      throw new Error(`flags.applyIntervalSeconds must be whole minutes on AWS (got ${seconds})`);
    }
    iam.Grant.addToPrincipal({
      grantee: applier.function,
      actions: ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
      resourceArns: [eventSourceMappingArn],
    });
    return new events.Rule(this, 'ApplySchedule', {
      description: 'Applies the processing and ingestThrottle flags to the ingest event source.',
      schedule: events.Schedule.rate(Duration.minutes(seconds / 60)),
      targets: [new targets.LambdaFunction(applier.alias, { retryAttempts: 0 })],
    });
  }
}

/** The flags document's text, after the checks the validator and the local cloud run: a document they would refuse fails synth. */
function checkedDocument(path: string, config: StageConfig): string {
  const text = readFileSync(path, 'utf8');
  const checked = validateFlagsDocument(text, { maxIngestConcurrency: config.ingest.maxConcurrency });
  if (!checked.ok) {
    throw new Error(`Invalid feature flags document:\n  ${checked.problems.join('\n  ')}`);
  }
  return text;
}
