/**
 * The backfill: a STANDARD state machine from statemachines/backfill.asl.json whose Distributed
 * Map lists the images bucket (S3 ListObjectsV2 ItemReader) and runs one Express child per object,
 * invoking the reconcile-object function's live alias. Objects that need work go back on the
 * ingest queue (functions/core/reconcile.ts), so Rekognition stays behind the ingest's own
 * concurrency limit. The map's MaxConcurrency and ToleratedFailurePercentage come from the stage
 * config (`backfill`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ArnFormat, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { nagResourceFinding } from '../nag';
import type { LabelerFunction } from './labeler-function';

export const BACKFILL_ASL_PATH = fileURLToPath(
  new URL('../../statemachines/backfill.asl.json', import.meta.url),
);

/** The ASL's placeholders, filled by this construct. */
export const BACKFILL_PLACEHOLDERS = ['ImagesBucketName', 'ReconcileObjectFunctionArn'] as const;

/** The Distributed Map state whose limits the stage config sets. */
export const BACKFILL_MAP_STATE = 'ReconcileBucket';

export function backfillWorkflowName(stage: string): string {
  return `image-labeling-${stage}-backfill`;
}

/** The ASL text with the map's limits set from the stage config (numbers cannot be placeholders). */
export function backfillDefinition(
  limits: { maxConcurrency: number; toleratedFailurePercentage: number },
  aslText: string = readFileSync(BACKFILL_ASL_PATH, 'utf8'),
): string {
  const asl = JSON.parse(aslText) as { States: Record<string, Record<string, unknown>> };
  const map = asl.States[BACKFILL_MAP_STATE];
  if (!map) throw new Error(`backfill.asl.json has no ${BACKFILL_MAP_STATE} state`);
  map.MaxConcurrency = limits.maxConcurrency;
  map.ToleratedFailurePercentage = limits.toleratedFailurePercentage;
  return JSON.stringify(asl, null, 2);
}

export interface BackfillWorkflowProps {
  stage: string;
  bucket: s3.IBucket;
  /**
   * The reconcile-object function (FUNCTIONS.reconcileObject), built by the house construct,
   * which grants it what its spec lists (HeadObject, the records, the ingest queue).
   */
  reconcile: LabelerFunction;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

export class BackfillWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BackfillWorkflowProps) {
    super(scope, id);
    const { bucket, reconcile } = props;
    const stack = Stack.of(this);
    const stateMachineName = backfillWorkflowName(props.stage);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${scope.node.path.replace(/\//g, '-')}-${id}`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const substitutions: Record<(typeof BACKFILL_PLACEHOLDERS)[number], string> = {
      ImagesBucketName: bucket.bucketName,
      ReconcileObjectFunctionArn: reconcile.alias.functionArn,
    };
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      stateMachineName,
      definitionBody: sfn.DefinitionBody.fromString(
        backfillDefinition({
          maxConcurrency: props.maxConcurrency,
          toleratedFailurePercentage: props.toleratedFailurePercentage,
        }),
      ),
      definitionSubstitutions: substitutions,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });

    // The state machine: list the bucket, invoke the alias, and run its own child executions.
    // The ARNs are built from the fixed name: referencing the state machine from its own role
    // policy would be a dependency cycle.
    const role = this.stateMachine.role;
    reconcile.alias.grantInvoke(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
    const stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const executionsArn = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [executionsArn],
      }),
    );
    Validations.of(role).acknowledge({
      id: nagResourceFinding(this, 'AwsSolutions-IAM5', executionsArn),
      reason:
        'Distributed Map: the parent describes and stops its own child executions, whose names it does not know in advance.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Standard workflow logging and X-Ray tracing: logs:*LogDelivery* and xray:* actions have no resource-level permissions.',
    });
  }
}
