import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FLAGS_DOCUMENT_PATH, flagsVersionLabel } from '../../infra/config/flags';
import { loadStageConfig } from '../../infra/config/stage-config';
import { FeatureFlags } from '../../infra/constructs/feature-flags';
import { type SynthResult, synthStage } from '../support/synth';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const resourcesOf = (result: SynthResult['pipeline'], type: string) =>
  result.findResources(type) as Resources;
const logicalId = (
  result: SynthResult['pipeline'],
  type: string,
  match: (props: Record<string, unknown>) => boolean,
) => {
  const found = Object.entries(resourcesOf(result, type)).filter(([, resource]) =>
    match(resource.Properties),
  );
  expect(found).toHaveLength(1);
  return found[0]?.[0] ?? '';
};
const documentText = readFileSync(FLAGS_DOCUMENT_PATH, 'utf8');

describe('feature flags in AppConfig', () => {
  let dev: SynthResult;
  let prod: SynthResult;
  beforeAll(() => {
    dev = synthStage('dev');
    prod = synthStage('prod');
  });

  it('creates an application, the stage environment and a feature-flags profile named as the functions expect', () => {
    dev.pipeline.hasResourceProperties('AWS::AppConfig::Application', { Name: 'image-labeling-dev' });
    dev.pipeline.hasResourceProperties('AWS::AppConfig::Environment', { Name: 'dev' });
    dev.pipeline.hasResourceProperties('AWS::AppConfig::ConfigurationProfile', {
      Name: 'pipeline-flags',
      LocationUri: 'hosted',
      Type: 'AWS.AppConfig.FeatureFlags',
    });
  });

  it('hosts config/flags.json as a version labelled with its hash and deploys it to the environment', () => {
    const version = logicalId(
      dev.pipeline,
      'AWS::AppConfig::HostedConfigurationVersion',
      (props) => props.Content === documentText,
    );
    dev.pipeline.hasResourceProperties('AWS::AppConfig::HostedConfigurationVersion', {
      ContentType: 'application/json',
      VersionLabel: flagsVersionLabel(documentText),
    });
    const environment = logicalId(dev.pipeline, 'AWS::AppConfig::Environment', () => true);
    const strategy = logicalId(dev.pipeline, 'AWS::AppConfig::DeploymentStrategy', () => true);
    dev.pipeline.hasResourceProperties('AWS::AppConfig::Deployment', {
      ConfigurationVersion: { Ref: version },
      EnvironmentId: { Ref: environment },
      DeploymentStrategyId: { Ref: strategy },
    });
  });

  it('rolls out with the stage deployment strategy: all at once in dev, gradually with a bake time in prod', () => {
    dev.pipeline.hasResourceProperties('AWS::AppConfig::DeploymentStrategy', {
      GrowthType: 'LINEAR',
      GrowthFactor: 100,
      DeploymentDurationInMinutes: 0,
      FinalBakeTimeInMinutes: 0,
    });
    prod.pipeline.hasResourceProperties('AWS::AppConfig::DeploymentStrategy', {
      GrowthType: 'LINEAR',
      GrowthFactor: 20,
      DeploymentDurationInMinutes: 10,
      FinalBakeTimeInMinutes: 10,
    });
  });

  it('rolls a deployment back when the flags fallback alarm fires, through a role that reads only the monitored alarms', () => {
    const alarm = logicalId(prod.pipeline, 'AWS::CloudWatch::Alarm', (props) =>
      JSON.stringify(props.Metrics ?? []).includes('FlagsFallback'),
    );
    const role = logicalId(prod.pipeline, 'AWS::IAM::Role', (props) =>
      JSON.stringify(props.AssumeRolePolicyDocument).includes('appconfig.amazonaws.com'),
    );
    prod.pipeline.hasResourceProperties('AWS::AppConfig::Environment', {
      Monitors: Match.arrayWith([
        { AlarmArn: { 'Fn::GetAtt': [alarm, 'Arn'] }, AlarmRoleArn: { 'Fn::GetAtt': [role, 'Arn'] } },
      ]),
    });
    const policies = resourcesOf(prod.pipeline, 'AWS::IAM::Role')[role]?.Properties.Policies as {
      PolicyDocument: { Statement: unknown[] };
    }[];
    for (const statement of policies.flatMap((policy) => policy.PolicyDocument.Statement)) {
      expect(statement).toMatchObject({ Action: 'cloudwatch:DescribeAlarms' });
      expect(JSON.stringify(statement)).not.toContain('"*"');
    }
  });

  it("also rolls a deployment back on the stage's operational alarms", () => {
    const environment = Object.values(resourcesOf(prod.pipeline, 'AWS::AppConfig::Environment'))[0];
    const monitored = (
      (environment?.Properties.Monitors ?? []) as { AlarmArn: { 'Fn::GetAtt': [string, string] } }[]
    ).map((monitor) => monitor.AlarmArn['Fn::GetAtt'][0]);
    const alarms = prod.built.pipeline.alarms.all.map((alarm) =>
      prod.built.pipeline.getLogicalId(alarm.node.defaultChild as never),
    );
    expect(alarms).toHaveLength(3);
    for (const alarm of alarms) expect(monitored).toContain(alarm);
  });

  it('lets exactly detect-labels, start-workflow, apply-flags and reconcile-object read the flags, scoped to this application, environment and profile', () => {
    const application = logicalId(dev.pipeline, 'AWS::AppConfig::Application', () => true);
    const environment = logicalId(dev.pipeline, 'AWS::AppConfig::Environment', () => true);
    const profile = logicalId(dev.pipeline, 'AWS::AppConfig::ConfigurationProfile', () => true);
    const granting = Object.values(resourcesOf(dev.pipeline, 'AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('appconfig:'),
    );
    expect(granting).toHaveLength(1);
    const policy = granting[0]?.Properties as {
      PolicyDocument: { Statement: unknown[] };
      Roles: { Ref: string }[];
    };
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['appconfig:GetLatestConfiguration', 'appconfig:StartConfigurationSession'],
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':appconfig:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':application/',
              { Ref: application },
              '/environment/',
              { Ref: environment },
              '/configuration/',
              { Ref: profile },
            ],
          ],
        },
      },
    ]);
    expect(policy.Roles.map((role) => role.Ref).sort()).toEqual(
      [/^DetectLabelsRole/, /^StartWorkflowRole/, /^ApplyFlagsRole/, /^ReconcileObjectRole/]
        .map((pattern) =>
          Object.keys(resourcesOf(dev.pipeline, 'AWS::IAM::Role')).find((id) => pattern.test(id)),
        )
        .sort(),
    );
  });

  it('gives the readers the names of the flags and a short cache', () => {
    for (const description of ['Calls Rekognition', 'Consumes S3 upload events', 'Applies the processing']) {
      dev.pipeline.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(description),
        Environment: {
          Variables: Match.objectLike({
            FLAGS_APPLICATION: 'image-labeling-dev',
            FLAGS_ENVIRONMENT: 'dev',
            FLAGS_PROFILE: 'pipeline-flags',
            FLAGS_MAX_AGE_SECONDS: '5',
          }),
        },
      });
    }
  });

  it('runs apply-flags every minute, allowed to read and update only the ingest event source mapping', () => {
    const mapping = logicalId(
      dev.pipeline,
      'AWS::Lambda::EventSourceMapping',
      // The ingest queue's mapping (count-labels' stream mapping has a tumbling window).
      (properties) => properties.TumblingWindowInSeconds === undefined,
    );
    dev.pipeline.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^ApplyFlagsLive') } })],
    });
    dev.pipeline.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Applies the processing'),
      Environment: {
        Variables: Match.objectLike({
          EVENT_SOURCE_MAPPING_ID: { Ref: mapping },
          DEFAULT_MAX_CONCURRENCY: '5',
        }),
      },
    });
    const statements = Object.values(resourcesOf(dev.pipeline, 'AWS::IAM::Policy')).flatMap(
      (policy) =>
        (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
          .Statement,
    );
    const lambdaStatements = statements.filter((statement) =>
      JSON.stringify(statement.Action).includes('EventSourceMapping'),
    );
    expect(lambdaStatements).toHaveLength(1);
    expect(lambdaStatements[0]?.Action).toEqual([
      'lambda:GetEventSourceMapping',
      'lambda:UpdateEventSourceMapping',
    ]);
    expect(JSON.stringify(lambdaStatements[0]?.Resource)).toContain(`:event-source-mapping:`);
    expect(JSON.stringify(lambdaStatements[0]?.Resource)).toContain(mapping);
  });

  it("checks every flags version with the validate-flags function's live alias before AppConfig deploys it", () => {
    const alias = logicalId(dev.pipeline, 'AWS::Lambda::Alias', (props) =>
      JSON.stringify(props.FunctionName).includes('ValidateFlags'),
    );
    dev.pipeline.hasResourceProperties('AWS::AppConfig::ConfigurationProfile', {
      Name: 'pipeline-flags',
      Validators: [{ Type: 'LAMBDA', Content: { Ref: alias } }],
    });
    // AppConfig may invoke exactly that alias, on behalf of this account only.
    const permission = logicalId(
      dev.pipeline,
      'AWS::Lambda::Permission',
      (props) => props.Principal === 'appconfig.amazonaws.com',
    );
    dev.pipeline.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { Ref: alias },
      Principal: 'appconfig.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    // The deployment, which invokes the validator, waits for the permission.
    const deployments = Object.values(
      dev.pipeline.findResources('AWS::AppConfig::Deployment') as Record<string, { DependsOn?: string[] }>,
    );
    expect(deployments).toHaveLength(1);
    expect(deployments[0]?.DependsOn).toContain(permission);
  });

  it("gives the validator the stage's maximum ingest concurrency, and no other permission than its logs and traces", () => {
    for (const [result, maximum] of [
      [dev, '5'],
      [prod, '20'],
    ] as const) {
      result.pipeline.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('^AppConfig validator of the flags profile'),
        Timeout: 10,
        Environment: { Variables: Match.objectLike({ MAX_INGEST_CONCURRENCY: maximum }) },
      });
    }
    const role = logicalId(dev.pipeline, 'AWS::IAM::Role', (props) =>
      JSON.stringify(props.Description ?? '').includes('validate-flags'),
    );
    const actions = Object.values(resourcesOf(dev.pipeline, 'AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(role))
      .flatMap(
        (policy) => (policy.Properties.PolicyDocument as { Statement: { Action: unknown }[] }).Statement,
      )
      .flatMap((statement) => statement.Action);
    expect([...new Set(actions)].sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('fails synth on a flags document the validator would refuse: overlapping filters, a throttle above the stage', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flags-'));
    const bad = join(dir, 'flags.json');
    const document = JSON.parse(documentText) as { values: Record<string, Record<string, unknown>> };
    document.values.labelFilters = {
      ...document.values.labelFilters,
      enabled: true,
      includeLabels: ['Cat'],
      excludeLabels: ['cat'],
    };
    document.values.ingestThrottle = { enabled: true, maxConcurrency: 6 };
    writeFileSync(bad, JSON.stringify(document));
    const build = (stage: string) => () =>
      new FeatureFlags(new Stack(new App(), 'Test'), 'Flags', {
        config: loadStageConfig(stage),
        readers: [],
        documentPath: bad,
      });
    expect(build('dev')).toThrow(/includeLabels and excludeLabels both name "Cat"/);
    expect(build('dev')).toThrow(
      /values\.ingestThrottle\.maxConcurrency: 6 is above the stage's maximum ingest concurrency \(5\)/,
    );
    // prod allows 20: only the overlap is left.
    expect(build('prod')).toThrow(/^Invalid feature flags document:\n {2}values\.labelFilters: [^\n]*$/);
  });

  it('fails synth on a flags document AppConfig would refuse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flags-'));
    const bad = join(dir, 'flags.json');
    const document = JSON.parse(documentText) as { values: Record<string, Record<string, unknown>> };
    document.values.labelFilters = { ...document.values.labelFilters, minConfidence: 300 };
    writeFileSync(bad, JSON.stringify(document));
    const stack = new Stack(new App(), 'Test');
    expect(
      () =>
        new FeatureFlags(stack, 'Flags', { config: loadStageConfig('dev'), readers: [], documentPath: bad }),
    ).toThrow(/values\.labelFilters\.minConfidence: must be <= 100/);
  });

  it('refuses an apply interval that is not whole minutes on AWS', () => {
    expect(() =>
      loadStageConfig('dev', { flags: { ...loadStageConfig('dev').flags, applyIntervalSeconds: 90 } }),
    ).toThrow(/applyIntervalSeconds/);
  });
});
