import { type CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  APPCONFIG_EVENTBRIDGE_EXTENSION,
  MESSAGES,
  Sentence,
} from '../../infra/constructs/delivery-notifications';
import { buildStage } from '../support/synth';

type Json = Record<string, unknown>;
type Target = {
  Arn: unknown;
  InputTransformer?: { InputPathsMap: Record<string, string>; InputTemplate: string };
};
type Rule = { Properties: { EventPattern: Json; Targets: Target[]; Description: string } };

/** EventBridge matching, for the parts of the syntax these rules use: exact values, nesting, $or. */
function matches(pattern: Json, event: Json): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') return (expected as Json[]).some((alternative) => matches(alternative, event));
    const value = event[key];
    if (Array.isArray(expected)) return [value].flat().some((item) => expected.includes(item));
    return typeof value === 'object' && value !== null && matches(expected as Json, value as Json);
  });
}

/** What the topic receives: the template with each placeholder replaced by the value at its path. */
function render(target: Target, event: Json): string {
  const transformer = target.InputTransformer;
  if (!transformer) throw new Error('the target sends the raw event');
  return Object.entries(transformer.InputPathsMap).reduce((text, [name, path]) => {
    const value = path
      .replace(/^\$\./, '')
      .split('.')
      .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], event);
    return text.replaceAll(`<${name}>`, String(value ?? ''));
  }, transformer.InputTemplate);
}

const envelope = { version: '0', id: 'c071bfbf', account: '123456789012', region: 'us-east-1' };
const deploymentEvent = (detail: Json): Json => ({
  ...envelope,
  'detail-type': 'CodeDeploy Deployment State-change Notification',
  source: 'aws.codedeploy',
  time: '2026-12-02T10:00:00Z',
  detail: { deploymentId: 'd-123ABCDEF', instanceGroupId: 'igi-1', region: 'us-east-1', ...detail },
});
const flagsEvent = (detailType: string, application: string): Json => ({
  ...envelope,
  'detail-type': detailType,
  source: 'aws.appconfig',
  time: '2026-12-02T11:00:00Z',
  detail: {
    Type: 'OnDeploymentRolledBack',
    Application: { Id: 'ba8toh7', Name: application },
    Environment: { Id: 'pgil2o7', Name: 'dev' },
    ConfigurationProfile: { Id: 'ga3tqep', Name: 'pipeline-flags' },
    DeploymentNumber: 7,
    ConfigurationVersion: '3',
  },
});
const alarmEvent = (previous: string, state: string): Json => ({
  ...envelope,
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  time: '2026-12-02T12:00:00Z',
  detail: {
    alarmName: 'ImageLabeling-dev-Pipeline-DeliveryStoreLabelsErrors-1A2B3C',
    configuration: {
      description: 'Rolls back store-labels: its new version fails more often than the version it replaces.',
    },
    previousState: { value: previous, reason: 'earlier' },
    state: {
      value: state,
      reason: 'Threshold Crossed: 1 datapoint [12.5] was greater than the threshold (10.0).',
    },
  },
});

describe('deployment notifications, dev stage', () => {
  let built: ReturnType<typeof buildStage>;
  let monitoring: Template;
  let pipeline: Template;
  let rules: Rule[];
  const logicalId = (construct: IConstruct) =>
    Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnResource);
  const ruleFor = (event: Json) => {
    const matching = rules.filter((rule) => matches(rule.Properties.EventPattern, event));
    expect(matching).toHaveLength(1);
    return matching[0] as Rule;
  };
  beforeAll(() => {
    built = buildStage('dev');
    monitoring = Template.fromStack(built.monitoring);
    pipeline = Template.fromStack(built.pipeline);
    rules = Object.values(monitoring.findResources('AWS::Events::Rule')) as Rule[];
  });

  it('sends every rule to the alarm topic as a sentence, never as the raw event', () => {
    const topic = logicalId(built.pipeline.alarmTopic.topic);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.Properties.Targets).toHaveLength(1);
      const [target] = rule.Properties.Targets as [Target];
      expect(target.Arn).toEqual({ 'Fn::ImportValue': expect.stringContaining(topic) });
      expect(target.InputTransformer?.InputTemplate).toMatch(/^[A-Z][^{}"]+\.$/);
    }
  });

  it("matches CodeDeploy deployments of this stage's applications only: start, success, failure and stop", () => {
    const pipelineApp = 'image-labeling-dev-pipeline';
    for (const state of ['START', 'SUCCESS', 'FAILURE', 'STOP']) {
      for (const application of [pipelineApp, 'image-labeling-dev-api']) {
        ruleFor(deploymentEvent({ application, deploymentGroup: 'store-labels', state }));
      }
    }
    const unmatched = [
      deploymentEvent({
        application: 'image-labeling-prod-pipeline',
        deploymentGroup: 'store-labels',
        state: 'FAILURE',
      }),
      deploymentEvent({ application: pipelineApp, deploymentGroup: 'store-labels', state: 'READY' }),
    ];
    for (const event of unmatched) {
      expect(rules.filter((rule) => matches(rule.Properties.EventPattern, event))).toEqual([]);
    }
  });

  it('says which deployment of which function did what, and that a failed or stopped one is rolled back', () => {
    const event = (state: string) =>
      deploymentEvent({ application: 'image-labeling-dev-pipeline', deploymentGroup: 'store-labels', state });
    const told = (state: string) =>
      render(ruleFor(event(state)).Properties.Targets[0] as Target, event(state));
    expect(told('START')).toBe(
      'CodeDeploy deployment d-123ABCDEF of store-labels (image-labeling-dev-pipeline) started at 2026-12-02T10:00:00Z. Region us-east-1.',
    );
    expect(told('SUCCESS')).toContain(
      'succeeded at 2026-12-02T10:00:00Z: the live alias serves the version it deployed.',
    );
    expect(told('FAILURE')).toBe(
      'CodeDeploy deployment d-123ABCDEF of store-labels (image-labeling-dev-pipeline) ended FAILURE at 2026-12-02T10:00:00Z and is rolled back: the live alias returns to the previous version. The deployment in the CodeDeploy console says why (a rollback alarm, a failed hook or a stop). Region us-east-1.',
    );
    expect(told('STOP')).toContain('ended STOP at 2026-12-02T10:00:00Z and is rolled back');
  });

  it("has AppConfig report this stage's flags deployments on the default bus, and tells their rollbacks", () => {
    const flagsApplication = logicalId(built.pipeline.flags.application);
    const [association] = Object.values(
      monitoring.findResources('AWS::AppConfig::ExtensionAssociation'),
    ) as Json[];
    expect(association).toMatchObject({
      Properties: { ExtensionIdentifier: APPCONFIG_EVENTBRIDGE_EXTENSION },
    });
    expect(JSON.stringify(association)).toContain(`ExportsOutputRef${flagsApplication}`);

    const rollback = flagsEvent('On Deployment Rollback', 'image-labeling-dev');
    expect(render(ruleFor(rollback).Properties.Targets[0] as Target, rollback)).toBe(
      'AppConfig rolled back deployment 7 of pipeline-flags (configuration version 3) in image-labeling-dev/dev at 2026-12-02T11:00:00Z: the functions keep the previous flags. An alarm fired during the rollout or bake, or the deployment was stopped. Region us-east-1.',
    );
    for (const quiet of [
      flagsEvent('On Deployment Complete', 'image-labeling-dev'),
      flagsEvent('On Deployment Rollback', 'image-labeling-prod'),
    ]) {
      expect(rules.filter((rule) => matches(rule.Properties.EventPattern, quiet))).toEqual([]);
    }
  });

  it('watches every rollback alarm and every operational alarm in exactly one rule', () => {
    // An alarm of another stack is an import of its ARN, the API's 5xx alarm a GetAtt.
    const watched = rules.flatMap((rule) =>
      ((rule.Properties.EventPattern.resources as unknown[] | undefined) ?? []).map((arn) =>
        JSON.stringify(arn),
      ),
    );
    const watchedCount = (alarm: cloudwatch.Alarm) =>
      watched.filter((arn) => arn.includes(logicalId(alarm))).length;
    const releases = [built.pipeline.delivery, built.api.delivery].flatMap((delivery) =>
      Object.values(delivery.releases),
    );
    const rollbackAlarms = [
      ...releases.flatMap((release) => release.alarms),
      built.pipeline.flags.fallbackAlarm,
    ];
    for (const alarm of rollbackAlarms) expect(watchedCount(alarm), alarm.node.path).toBe(1);
    const pipelineAlarms = [...built.pipeline.alarms.all, ...built.pipeline.labelCounts.alarms];
    for (const alarm of pipelineAlarms) expect(watchedCount(alarm), alarm.node.path).toBe(1);
    const operational = rules.find((rule) => rule.Properties.Description?.includes('operational alarm'));
    expect(operational?.Properties.EventPattern.resources).toHaveLength(pipelineAlarms.length + 1);
    // The workflow's three, the label counts' two, and the API's 5xx.
    expect(pipelineAlarms).toHaveLength(5);
    expect(watched).toHaveLength(rollbackAlarms.length + pipelineAlarms.length + 1);
  });

  it('tells an alarm entering or leaving ALARM, not the INSUFFICIENT_DATA to OK of an updated alarm', () => {
    const [rule] = rules.filter((candidate) => candidate.Properties.EventPattern.resources) as [Rule];
    // The alarm ARNs are imports, resolved at deploy time: match on the rest of the pattern.
    const { resources: _alarmArns, ...pattern } = rule.Properties.EventPattern;
    const stateChange = (previous: string, state: string) => matches(pattern, alarmEvent(previous, state));
    expect(stateChange('OK', 'ALARM')).toBe(true);
    expect(stateChange('ALARM', 'OK')).toBe(true);
    expect(stateChange('INSUFFICIENT_DATA', 'ALARM')).toBe(true);
    expect(stateChange('INSUFFICIENT_DATA', 'OK')).toBe(false);
    expect(stateChange('OK', 'INSUFFICIENT_DATA')).toBe(false);

    const storeLabels = rules.find((candidate) =>
      candidate.Properties.Targets[0]?.InputTransformer?.InputTemplate.includes(
        'rollback alarm of store-labels',
      ),
    ) as Rule;
    expect(render(storeLabels.Properties.Targets[0] as Target, alarmEvent('OK', 'ALARM'))).toBe(
      'Alarm ImageLabeling-dev-Pipeline-DeliveryStoreLabelsErrors-1A2B3C (rollback alarm of store-labels) went from OK to ALARM at 2026-12-02T12:00:00Z. Rolls back store-labels: its new version fails more often than the version it replaces. Reason: Threshold Crossed: 1 datapoint [12.5] was greater than the threshold (10.0). Region us-east-1.',
    );
  });

  it('lets EventBridge rules of this account publish to the topic, and encrypt with its key', () => {
    const topic = logicalId(built.pipeline.alarmTopic.topic);
    pipeline.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: topic },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
    const [key] = Object.values(pipeline.findResources('AWS::KMS::Key')) as {
      Properties: {
        KeyPolicy: { Statement: { Principal: { Service?: string | string[] }; Action: string[] }[] };
      };
    }[];
    const forEventBridge = key?.Properties.KeyPolicy.Statement.filter((statement) =>
      [statement.Principal.Service].flat().includes('events.amazonaws.com'),
    );
    expect(forEventBridge?.flatMap((statement) => statement.Action)).toEqual(
      expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']),
    );
  });

  it('synthesizes with every cdk-nag finding acknowledged', () => {
    // The synthesis behind Template.fromStack ran the AwsSolutions checks (an unacknowledged
    // finding fails it); this returns that assembly.
    expect(() => built.app.synth()).not.toThrow();
  });
});

describe('Sentence', () => {
  it('maps each placeholder to its event field, and only those', () => {
    expect(MESSAGES.deploymentStarted.paths).toEqual({
      deployment: '$.detail.deploymentId',
      group: '$.detail.deploymentGroup',
      application: '$.detail.application',
      time: '$.time',
      region: '$.region',
    });
  });

  it('refuses a placeholder without a field, and a JSON template', () => {
    expect(
      () => new Sentence('Deployment <deployment> at <when>.', { deployment: '$.detail.deploymentId' }),
    ).toThrow(/No event field for <when>/);
    expect(() => new Sentence('"Deployment <deployment>."', { deployment: '$.detail.deploymentId' })).toThrow(
      /plain text, not JSON/,
    );
  });
});
