import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStageConfig } from '../../infra/config/stage-config';
import { BACKFILL_MAP_STATE } from '../../infra/constructs/backfill-workflow';
import { substituteDefinition } from '../../local/stepfunctions';
import { buildStage, type SynthResult, synthStage } from '../support/synth';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown };
const resourcesOf = (template: SynthResult['pipeline'], type: string) =>
  template.findResources(type) as Record<string, Resource>;

describe('the backfill state machine (pipeline stack)', () => {
  let dev: SynthResult;
  let backfillId: string;
  let backfill: Resource;
  beforeAll(() => {
    dev = synthStage('dev');
    const machines = Object.entries(resourcesOf(dev.pipeline, 'AWS::StepFunctions::StateMachine'));
    const found = machines.find(([, machine]) => machine.Properties.StateMachineType === 'STANDARD');
    if (!found) throw new Error('no STANDARD state machine');
    [backfillId, backfill] = found;
  });

  function policyStatements(roleMatch: RegExp): Statement[] {
    return Object.values(resourcesOf(dev.pipeline, 'AWS::IAM::Policy'))
      .filter((policy) => roleMatch.test(JSON.stringify(policy.Properties.Roles)))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  }

  it('is a named STANDARD state machine with full logging and X-Ray', () => {
    expect(backfillId).toMatch(/^Backfill/);
    expect(backfill.Properties.StateMachineName).toBe('image-labeling-dev-backfill');
    expect(backfill.Properties.TracingConfiguration).toEqual({ Enabled: true });
    dev.pipeline.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
  });

  it('fills the bucket and the reconcile alias in, with the stage concurrency on the map', () => {
    const substitutions = backfill.Properties.DefinitionSubstitutions as Record<string, { Ref?: string }>;
    expect(Object.keys(substitutions).sort()).toEqual(['ImagesBucketName', 'ReconcileObjectFunctionArn']);
    const aliases = Object.entries(resourcesOf(dev.pipeline, 'AWS::Lambda::Alias'));
    const alias = aliases.find(([id]) => id === substitutions.ReconcileObjectFunctionArn?.Ref);
    expect(alias?.[1].Properties.Name).toBe('live');
    const asl = JSON.parse(
      substituteDefinition(backfill.Properties.DefinitionString as string, {
        ImagesBucketName: 'bucket',
        ReconcileObjectFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f:live',
      }),
    ) as { States: Record<string, Record<string, unknown>> };
    expect(asl.States[BACKFILL_MAP_STATE]).toMatchObject({
      MaxConcurrency: loadStageConfig('dev').backfill.maxConcurrency,
      ToleratedFailurePercentage: loadStageConfig('dev').backfill.toleratedFailurePercentage,
    });
  });

  it('lets the state machine list the bucket, invoke only the alias and run its own children', () => {
    const statements = policyStatements(/BackfillStateMachineRole/);
    const byAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    expect(byAction('s3:ListBucket')).toHaveLength(1);
    expect(JSON.stringify(byAction('s3:ListBucket')[0]?.Resource)).not.toContain('/*');
    const invoke = byAction('lambda:InvokeFunction').flatMap((s) => [s.Resource].flat());
    expect(invoke.length).toBeGreaterThan(0);
    for (const resource of invoke) expect(JSON.stringify(resource)).toMatch(/ReconcileObjectLive/);
    expect(JSON.stringify(byAction('states:StartExecution')[0]?.Resource)).toContain(
      ':stateMachine:image-labeling-dev-backfill',
    );
    expect(JSON.stringify(byAction('states:DescribeExecution')[0]?.Resource)).toContain(
      ':execution:image-labeling-dev-backfill:*',
    );
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((action) => action.startsWith('dynamodb:') || action.startsWith('sqs:'))).toEqual(
      [],
    );
  });

  it('gives reconcile-object exactly HeadObject, GetItem on the table and SendMessage on the ingest queue', () => {
    const actions = policyStatements(/ReconcileObjectRole/)
      .flatMap((s) => [s.Action].flat())
      .filter((action) => /^(s3|dynamodb|sqs|rekognition|states):/.test(action));
    expect(new Set(actions)).toEqual(new Set(['s3:GetObject', 'dynamodb:GetItem', 'sqs:SendMessage']));
    dev.pipeline.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Backfill'),
      Environment: {
        Variables: Match.objectLike({
          INGEST_QUEUE_URL: Match.anyValue(),
          LABELS_TABLE_NAME: Match.anyValue(),
          MIN_CONFIDENCE: '70',
          MAX_LABELS: '25',
        }),
      },
    });
  });

  it('ships reconcile-object through a canary like every aliased function, smoke-tested with a bad task input', () => {
    const release = dev.built.pipeline.delivery.releases['reconcile-object'];
    expect(release).toBeDefined();
    dev.pipeline.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ SMOKE_PLAN: 'task-input', TARGET_FUNCTION_ARN: Match.anyValue() }),
      },
    });
  });

  it('synthesizes with every cdk-nag finding acknowledged', () => {
    const built = buildStage('prod');
    expect(() => built.app.synth()).not.toThrow();
  });
});
