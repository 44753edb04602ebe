/**
 * Deployment notifications: EventBridge rules on the default bus that tell the alarm topic, in a
 * sentence each (input transformers, not raw JSON), what the stage's delivery did:
 *
 * - CodeDeploy deployments of this stage's applications: started, succeeded, failed or stopped
 *   (these roll back: every deployment group rolls back on failure, stop and alarm);
 * - AppConfig rollbacks of this stage's flags, which AppConfig reports on the default bus once
 *   the AWS-authored extension AWS.AppConfig.DeploymentNotificationsToEventBridge is associated
 *   with the application (done here);
 * - the rollback alarms entering or leaving ALARM: each function's canary alarms (CodeDeploy
 *   watches them) and the flags fallback alarm;
 * - the operational alarms (failed runs, dead letters, Rekognition throttles, API 5xx) entering
 *   or leaving ALARM. They have no alarm actions, whose messages would be CloudWatch's raw JSON:
 *   this rule is how they reach the topic.
 *
 * One rule per function's rollback alarms: a rule matches alarms by ARN, and an event pattern
 * is limited to 2,048 characters by default, about fifteen ARNs.
 */
import { Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { flagsNames } from '../config/flags';
import type { Delivery } from './delivery';
import type { FeatureFlags } from './feature-flags';
import type { AlarmTopic } from './monitoring/alarm-topic';

/** The AWS-authored AppConfig extension that sends deployment events to the default bus. */
export const APPCONFIG_EVENTBRIDGE_EXTENSION = 'AWS.AppConfig.DeploymentNotificationsToEventBridge';
export const CODEDEPLOY_DETAIL_TYPE = 'CodeDeploy Deployment State-change Notification';
/**
 * The EventBridge events reference names the rollback event `On Deployment Rollback`; the
 * extension is invoked at the action point ON_DEPLOYMENT_ROLLED_BACK. Both spellings match, so
 * the rule holds whichever one a deployed stage sees (to be confirmed on the first rollback).
 */
export const APPCONFIG_ROLLBACK_DETAIL_TYPES = ['On Deployment Rollback', 'On Deployment Rolled Back'];
export const ALARM_DETAIL_TYPE = 'CloudWatch Alarm State Change';

/**
 * A sentence for the topic: an input template in plain text, not JSON, so a subscriber gets the
 * sentence itself (a template in quotes, as RuleTargetInput.fromText writes it, is delivered as
 * a JSON string, quotes included). EventBridge fills each `<name>` with the value at its JSON
 * path in the event, as it is: plain text needs no escaping.
 */
export class Sentence extends events.RuleTargetInput {
  readonly paths: Record<string, string>;

  constructor(
    readonly template: string,
    fields: Record<string, string>,
  ) {
    super();
    const names = [...template.matchAll(/<([A-Za-z0-9_.-]+)>/g)].map((match) => match[1] as string);
    const unknown = names.filter((name) => !(name in fields));
    if (unknown.length > 0) throw new Error(`No event field for <${unknown.join('>, <')}> in "${template}"`);
    if (/^\s*[{["]/.test(template)) throw new Error(`A sentence is plain text, not JSON: "${template}"`);
    this.paths = Object.fromEntries(names.map((name) => [name, fields[name] as string]));
  }

  bind(): events.RuleTargetInputProperties {
    return { inputTemplate: this.template, inputPathsMap: this.paths };
  }
}

const ENVELOPE = { time: '$.time', region: '$.region' };
const DEPLOYMENT = {
  ...ENVELOPE,
  deployment: '$.detail.deploymentId',
  group: '$.detail.deploymentGroup',
  application: '$.detail.application',
  state: '$.detail.state',
};
const FLAGS_DEPLOYMENT = {
  ...ENVELOPE,
  number: '$.detail.DeploymentNumber',
  profile: '$.detail.ConfigurationProfile.Name',
  version: '$.detail.ConfigurationVersion',
  application: '$.detail.Application.Name',
  environment: '$.detail.Environment.Name',
};
const ALARM = {
  ...ENVELOPE,
  alarm: '$.detail.alarmName',
  previous: '$.detail.previousState.value',
  state: '$.detail.state.value',
  description: '$.detail.configuration.description',
  reason: '$.detail.state.reason',
};

/** What the topic receives for each kind of event (docs/notifications.md shows examples). */
export const MESSAGES = {
  deploymentStarted: new Sentence(
    'CodeDeploy deployment <deployment> of <group> (<application>) started at <time>. Region <region>.',
    DEPLOYMENT,
  ),
  deploymentSucceeded: new Sentence(
    'CodeDeploy deployment <deployment> of <group> (<application>) succeeded at <time>: the live alias serves the version it deployed. Region <region>.',
    DEPLOYMENT,
  ),
  deploymentRolledBack: new Sentence(
    'CodeDeploy deployment <deployment> of <group> (<application>) ended <state> at <time> and is rolled back: the live alias returns to the previous version. The deployment in the CodeDeploy console says why (a rollback alarm, a failed hook or a stop). Region <region>.',
    DEPLOYMENT,
  ),
  flagsRolledBack: new Sentence(
    'AppConfig rolled back deployment <number> of <profile> (configuration version <version>) in <application>/<environment> at <time>: the functions keep the previous flags. An alarm fired during the rollout or bake, or the deployment was stopped. Region <region>.',
    FLAGS_DEPLOYMENT,
  ),
  alarmChanged: (subject: string) =>
    new Sentence(
      `Alarm <alarm> (${subject}) went from <previous> to <state> at <time>. <description> Reason: <reason> Region <region>.`,
      ALARM,
    ),
};

export interface DeliveryNotificationsProps {
  stage: string;
  topic: AlarmTopic;
  /** Every stack's CodeDeploy delivery: its application's events and its rollback alarms. */
  deliveries: Delivery[];
  /** The stage's feature flags: its application's rollbacks and its fallback alarm. */
  flags: FeatureFlags;
  /** The alarms an operator acts on (monitoring/pipeline-alarms.ts). */
  operationalAlarms: cloudwatch.IAlarm[];
}

export class DeliveryNotifications extends Construct {
  readonly rules: events.Rule[] = [];
  readonly extensionAssociation: appconfig.CfnExtensionAssociation;
  private readonly topic: AlarmTopic;

  constructor(scope: Construct, id: string, props: DeliveryNotificationsProps) {
    super(scope, id);
    this.topic = props.topic;
    this.allowEventBridge();

    const applications = props.deliveries.map((delivery) => delivery.applicationName);
    const codeDeploy = (states: string[]) => ({
      source: ['aws.codedeploy'],
      detailType: [CODEDEPLOY_DETAIL_TYPE],
      detail: { application: applications, state: states },
    });
    this.notify('DeploymentStarted', 'CodeDeploy deployments of this stage that start.', {
      pattern: codeDeploy(['START']),
      message: MESSAGES.deploymentStarted,
    });
    this.notify('DeploymentSucceeded', 'CodeDeploy deployments of this stage that succeed.', {
      pattern: codeDeploy(['SUCCESS']),
      message: MESSAGES.deploymentSucceeded,
    });
    this.notify(
      'DeploymentRolledBack',
      'CodeDeploy deployments of this stage that fail or stop (rolled back).',
      {
        pattern: codeDeploy(['FAILURE', 'STOP']),
        message: MESSAGES.deploymentRolledBack,
      },
    );

    const flagsApplication = props.flags.application;
    this.extensionAssociation = new appconfig.CfnExtensionAssociation(this, 'FlagsEvents', {
      extensionIdentifier: APPCONFIG_EVENTBRIDGE_EXTENSION,
      resourceIdentifier: flagsApplication.applicationArn,
    });
    this.notify('FlagsRolledBack', "AppConfig deployments of this stage's flags that roll back.", {
      pattern: {
        source: ['aws.appconfig'],
        detailType: APPCONFIG_ROLLBACK_DETAIL_TYPES,
        detail: { Application: { Name: [flagsNames(props.stage).application] } },
      },
      message: MESSAGES.flagsRolledBack,
    });

    for (const delivery of props.deliveries) {
      for (const [name, release] of Object.entries(delivery.releases)) {
        this.notifyAlarms(
          `${release.target.node.id}RollbackAlarms`,
          `rollback alarm of ${name}`,
          release.alarms,
        );
      }
    }
    this.notifyAlarms('FlagsFallbackAlarm', 'rollback alarm of the flags deployments', [
      props.flags.fallbackAlarm,
    ]);
    this.notifyAlarms('OperationalAlarms', 'operational alarm', props.operationalAlarms);
  }

  /**
   * A rule that sends the alarms' entering and leaving ALARM, not every change: an alarm whose
   * configuration changes (each new version changes the canary alarms' dimensions) goes through
   * INSUFFICIENT_DATA to OK, which says nothing.
   */
  private notifyAlarms(id: string, subject: string, alarms: cloudwatch.IAlarm[]): void {
    this.notify(id, `Each ${subject} entering or leaving ALARM.`, {
      pattern: {
        source: ['aws.cloudwatch'],
        detailType: [ALARM_DETAIL_TYPE],
        resources: alarms.map((alarm) => alarm.alarmArn),
        detail: { $or: [{ state: { value: ['ALARM'] } }, { previousState: { value: ['ALARM'] } }] },
      },
      message: MESSAGES.alarmChanged(subject),
    });
  }

  private notify(
    id: string,
    description: string,
    { pattern, message }: { pattern: events.EventPattern; message: Sentence },
  ): void {
    const topicArn = this.topic.topic.topicArn;
    this.rules.push(
      new events.Rule(this, id, {
        description,
        eventPattern: pattern,
        // The topic policy below lets EventBridge publish; no role, no grant per rule.
        targets: [{ bind: () => ({ arn: topicArn, input: message }) }],
      }),
    );
  }

  /**
   * Lets EventBridge rules of this account publish to the topic, and use its key: the topic is
   * encrypted with a customer managed key, and EventBridge must encrypt what it publishes.
   */
  private allowEventBridge(): void {
    const { topic, key } = this.topic;
    const eventBridge = new iam.ServicePrincipal('events.amazonaws.com');
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeRulesOfThisAccount',
        principals: [eventBridge],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(topic).account } },
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [eventBridge],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
  }
}
