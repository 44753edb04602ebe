import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';
import { loadStageConfig } from '../../infra/config/stage-config';
import { GITHUB_OIDC_STACK } from '../../infra/stacks/github-oidc-stack';
import { buildStage, type SynthResult, synthStage } from '../support/synth';

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  UpdatePolicy?: unknown;
  DependsOn?: string[];
};
const resources = (template: Template, type: string) =>
  Object.entries(template.findResources(type) as Record<string, Resource>);

/** The logical ids of the pipeline functions that callers reach through their live alias. */
function aliasedFunctions(result: SynthResult) {
  return resources(result.pipeline, 'AWS::Lambda::Alias').map(([aliasId, alias]) => {
    const functionRef = alias.Properties.FunctionName as { Ref: string };
    const version = alias.Properties.FunctionVersion as { 'Fn::GetAtt': [string, string] };
    return { aliasId, alias, functionId: functionRef.Ref, versionId: version['Fn::GetAtt'][0] };
  });
}

const CANARY_FUNCTIONS = [
  'claim-image',
  'validate-image',
  'detect-labels',
  'store-labels',
  'record-outcome',
  'start-workflow',
  'apply-flags',
  'reconcile-object',
  'validate-flags',
  'count-labels',
];

describe.each([
  ['dev', 'CodeDeployDefault.LambdaAllAtOnce'],
  ['prod', 'CodeDeployDefault.LambdaCanary10Percent5Minutes'],
])('safe delivery, %s stage', (stage, deploymentConfigName) => {
  let result: SynthResult;
  beforeAll(() => {
    result = synthStage(stage);
  });

  it(`gives every canary-released function a deployment group with ${deploymentConfigName}`, () => {
    const groups = resources(result.pipeline, 'AWS::CodeDeploy::DeploymentGroup');
    expect(groups.map(([, group]) => group.Properties.DeploymentGroupName).sort()).toEqual(
      [...CANARY_FUNCTIONS].sort(),
    );
    for (const [, group] of groups) {
      expect(group.Properties).toMatchObject({
        DeploymentConfigName: deploymentConfigName,
        AutoRollbackConfiguration: {
          Enabled: true,
          Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
        },
        AlarmConfiguration: { Enabled: true, Alarms: expect.any(Array) },
      });
      expect((group.Properties.AlarmConfiguration as { Alarms: unknown[] }).Alarms).toHaveLength(3);
    }
    result.pipeline.hasResourceProperties('AWS::CodeDeploy::Application', {
      ApplicationName: `image-labeling-${stage}-pipeline`,
      ComputePlatform: 'Lambda',
    });
  });

  it('puts every alias a caller uses under CodeDeploy, with both hooks, updated only after the hooks', () => {
    const released = aliasedFunctions(result).filter(({ alias }) => alias.UpdatePolicy);
    expect(released).toHaveLength(CANARY_FUNCTIONS.length);
    const preHooks = new Set<string>();
    for (const { alias } of released) {
      const update = (alias.UpdatePolicy as { CodeDeployLambdaAliasUpdate: Record<string, { Ref: string }> })
        .CodeDeployLambdaAliasUpdate;
      expect(Object.keys(update).sort()).toEqual(
        ['AfterAllowTrafficHook', 'ApplicationName', 'BeforeAllowTrafficHook', 'DeploymentGroupName'].sort(),
      );
      preHooks.add(update.BeforeAllowTrafficHook?.Ref ?? '');
      expect(alias.DependsOn).toEqual(
        expect.arrayContaining([update.BeforeAllowTrafficHook?.Ref, update.AfterAllowTrafficHook?.Ref]),
      );
    }
    // One pre-traffic hook per function (it tests that function's new version).
    expect(preHooks.size).toBe(CANARY_FUNCTIONS.length);
  });

  it("watches only the new version: each rollback alarm's metrics carry ExecutedVersion = the alias's version", () => {
    const alarms = resources(result.pipeline, 'AWS::CloudWatch::Alarm');
    for (const { functionId, versionId } of aliasedFunctions(result).filter(
      ({ alias }) => alias.UpdatePolicy,
    )) {
      // count-labels' IteratorAge alarm names its function too: an operational alarm, not a rollback one.
      const mine = alarms.filter(
        ([, alarm]) =>
          JSON.stringify(alarm.Properties).includes(`"Ref":"${functionId}"`) &&
          alarm.Properties.MetricName !== 'IteratorAge',
      );
      expect(mine).toHaveLength(3);
      const newVersionDimensions = [
        { Name: 'ExecutedVersion', Value: { 'Fn::GetAtt': [versionId, 'Version'] } },
        { Name: 'FunctionName', Value: { Ref: functionId } },
        { Name: 'Resource', Value: { 'Fn::Join': ['', [{ Ref: functionId }, ':live']] } },
      ];
      const metricNames = new Set<string>();
      for (const [, alarm] of mine) {
        const props = alarm.Properties as {
          Dimensions?: unknown;
          MetricName?: string;
          Metrics?: { Id: string; MetricStat?: { Metric: { MetricName: string; Dimensions: unknown } } }[];
        };
        if (props.MetricName) {
          // Throttles and p99 Duration: a plain metric on the new version.
          expect(props.Dimensions).toEqual(newVersionDimensions);
          metricNames.add(props.MetricName);
        } else {
          // The error rate: the new version's, compared with the whole alias's.
          for (const { Id, MetricStat } of props.Metrics ?? []) {
            if (!MetricStat) continue;
            const { Dimensions, MetricName } = MetricStat.Metric;
            expect(Dimensions).toEqual(
              Id.startsWith('new') ? newVersionDimensions : newVersionDimensions.slice(1),
            );
            metricNames.add(MetricName);
          }
        }
      }
      expect([...metricNames].sort()).toEqual(['Duration', 'Errors', 'Invocations', 'Throttles']);
    }
  });

  it('lets each pre-traffic hook invoke only its own new version and report only on its group', () => {
    const policies = resources(result.pipeline, 'AWS::IAM::Policy').filter(([id]) =>
      id.includes('PreTraffic'),
    );
    expect(policies).toHaveLength(CANARY_FUNCTIONS.length);
    for (const [, policy] of policies) {
      const statements = (
        policy.Properties.PolicyDocument as { Statement: { Action: string; Resource: unknown }[] }
      ).Statement;
      const invoke = statements.find((statement) => statement.Action === 'lambda:InvokeFunction');
      expect(invoke?.Resource).toEqual({ Ref: expect.stringMatching(/CurrentVersion/) });
      const report = statements.find(
        (statement) => statement.Action === 'codedeploy:PutLifecycleEventHookExecutionStatus',
      );
      expect(JSON.stringify(report?.Resource)).toMatch(
        new RegExp(`:deploymentgroup:image-labeling-${stage}-pipeline/(${CANARY_FUNCTIONS.join('|')})"`),
      );
    }
    result.pipeline.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SMOKE_PLAN: 'validate-image',
          TARGET_FUNCTION_ARN: { Ref: Match.stringLikeRegexp('ValidateImage') },
        }),
      },
    });
  });

  it('lets the post-traffic hook run the workflow and report on every group', () => {
    const policies = resources(result.pipeline, 'AWS::IAM::Policy').filter(([id]) =>
      id.includes('PostTraffic'),
    );
    expect(policies).toHaveLength(1);
    const text = JSON.stringify(policies.map(([, policy]) => policy.Properties.PolicyDocument));
    expect(text).toContain('states:StartSyncExecution');
    expect(text).toContain(`:stateMachine:image-labeling-${stage}-label-image`);
    for (const name of CANARY_FUNCTIONS) expect(text).toContain(`image-labeling-${stage}-pipeline/${name}`);
    result.pipeline.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: `image-labeling-${stage}-label-image`,
    });
  });

  it('lets CodeDeploy invoke exactly the two hooks of each group', () => {
    for (const [id, policy] of resources(result.pipeline, 'AWS::IAM::Policy').filter(([id]) =>
      id.includes('DeploymentGroupServiceRole'),
    )) {
      const statements = (
        policy.Properties.PolicyDocument as { Statement: { Action: string; Resource: unknown[] }[] }
      ).Statement;
      expect(statements, id).toEqual([
        expect.objectContaining({
          Action: 'lambda:InvokeFunction',
          Resource: [expect.anything(), expect.anything()],
        }),
      ]);
    }
  });
});

describe('stage configuration for delivery', () => {
  it('supports a custom canary (TimeBasedCanary) from the stage config', () => {
    const config = loadStageConfig('prod', {
      delivery: {
        ...loadStageConfig('prod').delivery,
        deployment: { type: 'canary', percentage: 5, intervalMinutes: 15 },
      },
    });
    expect(config.delivery.deployment).toEqual({ type: 'canary', percentage: 5, intervalMinutes: 15 });
  });

  it('fails with the field named when a delivery value is out of range', () => {
    expect(() =>
      loadStageConfig('prod', {
        delivery: {
          ...loadStageConfig('prod').delivery,
          deployment: { type: 'canary', percentage: 150, intervalMinutes: 5 },
        },
      }),
    ).toThrow(/delivery\.deployment\.percentage/);
  });

  it('fails synth with a clear message for an unknown stage name', () => {
    expect(() => buildStage('staging')).toThrow('Unknown stage "staging": use -c stage=<dev|prod|local>.');
  });

  it('fails synth with a clear message for a bad alarm e-mail', () => {
    const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
    const app = new App({
      context: {
        ...cdkJson.context,
        stage: 'dev',
        alarmEmail: 'not-an-address',
        'aws:cdk:bundling-stacks': [],
      },
    });
    expect(() => buildApp(app)).toThrow(/alarmEmail.*not an e-mail address/);
  });
});

describe('GitHub OIDC stack', () => {
  const build = (context: Record<string, string>) => {
    const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
    const app = new App({
      context: { ...cdkJson.context, stage: 'dev', 'aws:cdk:bundling-stacks': [], ...context },
    });
    return buildApp(app);
  };

  it('is not synthesized unless the repository is named', () => {
    expect(build({}).githubOidc).toBeUndefined();
  });

  it('trusts main and the dev/prod environments for deploys, pull requests for diffs, in both sub claim forms', () => {
    const built = build({
      githubRepository: 'acme/image-labeling',
      githubOwnerId: '111',
      githubRepositoryId: '222',
    });
    expect(built.githubOidc?.stackName).toBe(GITHUB_OIDC_STACK);
    if (!built.githubOidc) throw new Error('the OIDC stack was not built');
    const template = Template.fromStack(built.githubOidc);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    const roles = resources(template, 'AWS::IAM::Role');
    const trust = (id: string) => {
      const [, role] = roles.find(([roleId]) => roleId.startsWith(id)) ?? [];
      const [statement] = (
        (role?.Properties.AssumeRolePolicyDocument ?? { Statement: [] }) as {
          Statement: { Action: string; Condition: Record<string, Record<string, unknown>> }[];
        }
      ).Statement;
      expect(statement?.Action).toBe('sts:AssumeRoleWithWebIdentity');
      expect(statement?.Condition.StringEquals?.['token.actions.githubusercontent.com:aud']).toBe(
        'sts.amazonaws.com',
      );
      return statement?.Condition.StringEquals?.['token.actions.githubusercontent.com:sub'];
    };
    expect(trust('DeployRole')).toEqual([
      'repo:acme/image-labeling:ref:refs/heads/main',
      'repo:acme@111/image-labeling@222:ref:refs/heads/main',
      'repo:acme/image-labeling:environment:dev',
      'repo:acme@111/image-labeling@222:environment:dev',
      'repo:acme/image-labeling:environment:prod',
      'repo:acme@111/image-labeling@222:environment:prod',
    ]);
    expect(trust('DiffRole')).toEqual([
      'repo:acme/image-labeling:pull_request',
      'repo:acme@111/image-labeling@222:pull_request',
    ]);
    // Only sts:AssumeRole, only on the CDK bootstrap roles.
    const text = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(text.match(/"Action":"[^"]+"/g)?.every((action) => action === '"Action":"sts:AssumeRole"')).toBe(
      true,
    );
    for (const kind of ['deploy', 'file-publishing', 'image-publishing', 'lookup']) {
      expect(text).toContain(`:role/cdk-hnb659fds-${kind}-role-`);
    }
  });

  it('rejects a malformed repository name', () => {
    expect(() => build({ githubRepository: 'not a repo' })).toThrow(
      /Invalid GitHub OIDC context[\s\S]*OWNER\/REPO/,
    );
  });
});
