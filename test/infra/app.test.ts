import { Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_NAMES } from '../../functions/core/errors';
import { pipelineTiming } from '../../infra/config/timing';
import { substituteDefinition } from '../../local/stepfunctions';
import { buildStage, type SynthResult, synthStage } from '../support/synth';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const resourcesOf = (result: SynthResult['pipeline'], type: string): Resources =>
  result.findResources(type) as Resources;

describe('the dev stage', () => {
  let dev: SynthResult;
  beforeAll(() => {
    dev = synthStage('dev');
  });

  describe('storage stack', () => {
    it('creates a private, TLS-only, encrypted, versioned images bucket with access logs', () => {
      dev.storage.hasResourceProperties('AWS::S3::Bucket', {
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'images/' }),
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
          ]),
        },
      });
    });

    it('denies every non-TLS request to the images bucket', () => {
      dev.storage.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('creates an on-demand labels table with point-in-time recovery, the labels index and the images index', () => {
      dev.storage.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: false,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            // CloudFormation cannot change a live index's projection: this one must stay as it is.
            Projection: {
              ProjectionType: 'INCLUDE',
              NonKeyAttributes: ['key', 'name', 'confidence', 'objectVersion'],
            },
          }),
          Match.objectLike({
            IndexName: 'gsi2',
            KeySchema: [
              { AttributeName: 'gsi2pk', KeyType: 'HASH' },
              { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
            ],
            Projection: {
              ProjectionType: 'INCLUDE',
              NonKeyAttributes: ['key', 'status', 'updatedAt', 'topLabels', 'versionId'],
            },
          }),
        ],
      });
    });

    it('sends every ObjectCreated and ObjectRemoved event of the bucket to an encrypted queue with a dead-letter queue', () => {
      const timing = pipelineTiming();
      dev.storage.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        VisibilityTimeout: timing.queueVisibilityTimeoutSeconds,
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
      });
      dev.storage.hasResourceProperties('Custom::S3BucketNotifications', {
        NotificationConfiguration: {
          QueueConfigurations: [
            Match.objectLike({ Events: ['s3:ObjectCreated:*'] }),
            Match.objectLike({ Events: ['s3:ObjectRemoved:*'] }),
          ],
        },
      });
    });
  });

  describe('pipeline stack', () => {
    it('builds every function on Node.js 24, arm64, with active tracing and JSON logs', () => {
      const functions = Object.values(resourcesOf(dev.pipeline, 'AWS::Lambda::Function')).filter(
        (fn) =>
          (fn.Properties.Runtime as string | undefined)?.startsWith('nodejs') && fn.Properties.Architectures,
      );
      // Plus the CodeDeploy hooks: one pre-traffic hook per release and one post-traffic hook.
      const hooks = Object.keys(dev.built.pipeline.delivery.releases).length + 1;
      expect(functions).toHaveLength(Object.keys(dev.built.pipeline.functions).length + hooks);
      for (const fn of functions) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogFormat: 'JSON' },
        });
      }
    });

    it('gives every function a live alias on its current version', () => {
      const aliases = Object.values(resourcesOf(dev.pipeline, 'AWS::Lambda::Alias'));
      expect(aliases).toHaveLength(Object.keys(dev.built.pipeline.functions).length);
      for (const alias of aliases) {
        expect(alias.Properties.Name).toBe('live');
        expect(alias.Properties.FunctionVersion).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Version'] });
      }
    });

    it('keeps each function log group for the stage retention', () => {
      const groups = Object.values(resourcesOf(dev.pipeline, 'AWS::Logs::LogGroup'));
      expect(groups.length).toBeGreaterThanOrEqual(7);
      for (const group of groups) expect(group.Properties.RetentionInDays).toBe(14);
    });

    it('runs an Express state machine with full logging and X-Ray tracing', () => {
      dev.pipeline.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'EXPRESS',
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
        TracingConfiguration: { Enabled: true },
      });
    });

    /** The definition as CloudFormation deploys it: DefinitionSubstitutions applied. */
    function deployedDefinition(template: SynthResult['pipeline']) {
      const [machine] = Object.values(resourcesOf(template, 'AWS::StepFunctions::StateMachine'));
      const substitutions = machine?.Properties.DefinitionSubstitutions as Record<string, unknown>;
      const rendered = Object.fromEntries(
        Object.entries(substitutions).map(([key, value]) => [
          key,
          `REF:${(value as { Ref?: string }).Ref ?? '?'}`,
        ]),
      );
      return {
        substitutions,
        asl: JSON.parse(substituteDefinition(machine?.Properties.DefinitionString as string, rendered)) as {
          States: Record<
            string,
            {
              Resource?: string;
              Retry?: { ErrorEquals: string[]; JitterStrategy?: string; MaxDelaySeconds?: number }[];
            }
          >;
        },
      };
    }

    it('substitutes every placeholder of the ASL with a live alias ARN', () => {
      const { substitutions, asl } = deployedDefinition(dev.pipeline);
      const aliasIds = Object.keys(resourcesOf(dev.pipeline, 'AWS::Lambda::Alias'));
      expect(Object.keys(substitutions)).toHaveLength(5);
      for (const value of Object.values(substitutions)) {
        expect(aliasIds).toContain((value as { Ref?: string }).Ref);
      }
      const tasks = Object.values(asl.States).filter((state) => state.Resource);
      expect(tasks.length).toBeGreaterThanOrEqual(5);
      for (const task of tasks) expect(task.Resource).toMatch(/^REF:[A-Za-z]+Live[A-F0-9]{8}$/);
    });

    it('carries the retry policy per error class into the deployed definition', () => {
      const { asl } = deployedDefinition(dev.pipeline);
      const throttle = asl.States.DetectLabels?.Retry?.find((r) =>
        r.ErrorEquals.includes('RekognitionThrottled'),
      );
      expect(throttle).toMatchObject({ JitterStrategy: 'FULL', MaxDelaySeconds: expect.any(Number) });
      expect(asl.States.ValidateImage?.Retry?.some((r) => r.ErrorEquals.includes('ImageRejected'))).toBe(
        false,
      );
    });

    it('lets the state machine invoke only the five task aliases', () => {
      const policies = Object.values(resourcesOf(dev.pipeline, 'AWS::IAM::Policy')).filter((policy) =>
        JSON.stringify(policy.Properties.Roles).includes('LabelImageStateMachineRole'),
      );
      const invokeResources = policies.flatMap((policy) =>
        (
          policy.Properties.PolicyDocument as {
            Statement: { Action: string | string[]; Resource: unknown }[];
          }
        ).Statement.filter((s) => [s.Action].flat().includes('lambda:InvokeFunction')).flatMap((s) =>
          [s.Resource].flat(),
        ),
      );
      expect(invokeResources).toHaveLength(5);
      for (const resource of invokeResources)
        expect(JSON.stringify(resource)).toMatch(/"Ref":"[A-Za-z]+Live/);
    });

    it('consumes the queue through the start function alias with partial batch failures', () => {
      dev.pipeline.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 10,
        ScalingConfig: { MaximumConcurrency: 5 },
      });
      const [mapping] = Object.values(resourcesOf(dev.pipeline, 'AWS::Lambda::EventSourceMapping'));
      // The alias ARN (function ARN + ":live"), not the function itself.
      expect(JSON.stringify(mapping?.Properties.FunctionName)).toMatch(
        /"Ref":"StartWorkflowLive[A-Z0-9]+".*":live"/,
      );
    });

    it('keeps timeouts consistent: workflow < start function <= visibility timeout / 6 < claim lease', () => {
      const timing = pipelineTiming();
      const [start] = Object.values(resourcesOf(dev.pipeline, 'AWS::Lambda::Function')).filter(
        (fn) =>
          (fn.Properties.Environment as { Variables?: Record<string, unknown> })?.Variables
            ?.STATE_MACHINE_ARN,
      );
      expect(start?.Properties.Timeout).toBe(timing.startFunctionTimeoutSeconds);
      expect(timing.workflowTimeoutSeconds).toBeLessThan(timing.startFunctionTimeoutSeconds);
      expect(timing.startFunctionTimeoutSeconds * 6).toBeLessThanOrEqual(
        timing.queueVisibilityTimeoutSeconds,
      );
      expect(timing.claimLeaseSeconds).toBeGreaterThan(timing.workflowTimeoutSeconds);
      dev.pipeline.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({ CLAIM_LEASE_SECONDS: String(timing.claimLeaseSeconds) }),
        },
      });
    });

    it('grants least privilege: no wildcard actions, only DetectLabels on Rekognition, only reads on S3', () => {
      const statements = Object.values(resourcesOf(dev.pipeline, 'AWS::IAM::Policy')).flatMap(
        (policy) =>
          (
            policy.Properties.PolicyDocument as {
              Statement: { Action: string | string[]; Resource?: unknown }[];
            }
          ).Statement,
      );
      const actions = statements.flatMap((statement) => [statement.Action].flat());
      expect(actions.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
      expect(new Set(actions.filter((action) => action.startsWith('rekognition:')))).toEqual(
        new Set(['rekognition:DetectLabels']),
      );
      // Writes only by the deployment hooks, only under the reserved smoke prefix (functions/core/smoke.ts).
      const smoke = (statement: { Resource?: unknown }) =>
        JSON.stringify(statement.Resource).includes('/_smoke/*');
      const reads = statements
        .filter((statement) => !smoke(statement))
        .flatMap((statement) => [statement.Action].flat());
      // s3:ListBucket: only the backfill's Distributed Map lists the bucket (test/infra/backfill.test.ts).
      expect(new Set(reads.filter((action) => action.startsWith('s3:')))).toEqual(
        new Set(['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']),
      );
      expect(
        actions.filter((action) => action.startsWith('dynamodb:')).every((a) => !a.includes('Scan')),
      ).toBe(true);
    });
  });

  describe('cdk-nag', () => {
    it('acknowledges every finding with a reason', () => {
      const acknowledgements = dev.built.app.node
        .findAll()
        .flatMap((construct) => construct.node.metadata)
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
      expect(acknowledgements.length).toBeGreaterThan(0);
      for (const [id, reason] of acknowledgements) {
        expect(id).toMatch(/AwsSolutions-/);
        expect(reason.length, `reason for ${id}`).toBeGreaterThan(20);
      }
    });

    it('fails synthesis on an unacknowledged finding (the AwsSolutions pack is active)', () => {
      const probe = buildStage('dev');
      const stack = new Stack(probe.app, 'NagProbe');
      new s3.Bucket(stack, 'UnloggedBucket');
      expect(() => probe.app.synth()).toThrow(/AwsSolutions-S1/);
    });
  });
});

describe('the prod stage', () => {
  let prod: SynthResult;
  beforeAll(() => {
    prod = synthStage('prod');
  });

  it('protects the table from deletion and retains stateful resources', () => {
    prod.storage.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    prod.storage.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    prod.storage.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  it('logs every workflow state but not its data (object keys, labels)', () => {
    prod.pipeline.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'EXPRESS',
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });

  it('turns on stack termination protection for storage', () => {
    expect(prod.built.storage.terminationProtection).toBe(true);
  });
});

describe('the ASL error contract', () => {
  it('exposes the error names the template test relies on', () => {
    expect(ERROR_NAMES).toContain('RekognitionThrottled');
  });
});
