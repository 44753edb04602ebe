/**
 * Stateless resources: the functions, the state machine and the queue's event source. Fed the
 * storage stack's bucket, table and queue.
 */
import { Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { EnvShape } from '../../functions/shared/env';
import { deliveryApplicationName, labelWorkflowName } from '../config/delivery-config';
import {
  type ContextNeed,
  type ExtrasArg,
  environmentOf,
  FUNCTIONS,
  type FunctionContext,
  type FunctionSpec,
} from '../config/functions';
import type { StageConfig } from '../config/stage-config';
import type { PipelineTiming } from '../config/timing';
import { BackfillWorkflow } from '../constructs/backfill-workflow';
import { Delivery } from '../constructs/delivery';
import { FeatureFlags } from '../constructs/feature-flags';
import type { PermissionResources } from '../constructs/function-permissions';
import { LabelCounts } from '../constructs/label-counts';
import { LabelWorkflow, type LabelWorkflowTasks } from '../constructs/label-workflow';
import { LabelerFunction } from '../constructs/labeler-function';
import { AlarmTopic } from '../constructs/monitoring/alarm-topic';
import { PipelineAlarms } from '../constructs/monitoring/pipeline-alarms';
import { removalPolicyOf } from './removal-policy';

export interface PipelineStackProps extends StackProps {
  config: StageConfig;
  timing: PipelineTiming;
  bucket: s3.IBucket;
  table: dynamodb.ITable;
  queue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
}

type Build = <Needs extends ContextNeed = never>(
  spec: FunctionSpec<EnvShape, Needs>,
  ...extras: ExtrasArg<Needs>
) => LabelerFunction;

export class PipelineStack extends Stack {
  readonly functions: Record<string, LabelerFunction>;
  readonly workflow: LabelWorkflow;
  readonly delivery: Delivery;
  readonly flags: FeatureFlags;
  readonly backfill: BackfillWorkflow;
  readonly alarmTopic: AlarmTopic;
  readonly alarms: PipelineAlarms;
  readonly labelCounts: LabelCounts;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config, bucket, queue } = props;
    const removalPolicy = removalPolicyOf(config);
    // What the functions' permissions name (infra/config/functions.ts); the state machine once made.
    const resources: PermissionResources = { table: props.table, bucket, queue };
    const build = this.builder(props, resources);

    const claim = build(FUNCTIONS.claim);
    const validate = build(FUNCTIONS.validate);
    const detect = build(FUNCTIONS.detect);
    const store = build(FUNCTIONS.store);
    const record = build(FUNCTIONS.record);
    this.workflow = this.labelWorkflow(config, [claim, validate, detect, store, record]);
    resources.stateMachine = this.workflow.stateMachine;

    const start = build(FUNCTIONS.start, { stateMachineArn: this.workflow.stateMachine.stateMachineArn });
    const ingestSource = ingestSourceOf(queue, config);
    // The event source is attached to the alias, so a canary splits queue traffic too.
    start.alias.addEventSource(ingestSource);
    // apply-flags puts the kill switch and the throttle onto the ingest event source.
    const applyFlags = build(FUNCTIONS.applyFlags, {
      eventSourceMappingId: ingestSource.eventSourceMappingId,
    });
    // The label counts, from the table's stream (infra/constructs/label-counts.ts).
    const countLabels = build(FUNCTIONS.countLabels);
    this.labelCounts = new LabelCounts(this, 'LabelCounts', {
      table: props.table,
      countLabels,
      config: config.labelCounts,
      alarms: config.alarms,
      removalPolicy,
    });
    // Reconcile and backfill (infra/constructs/backfill-workflow.ts): work goes back on the ingest queue.
    const reconcile = build(FUNCTIONS.reconcileObject, { ingestQueueUrl: queue.queueUrl });
    this.backfill = new BackfillWorkflow(this, 'Backfill', {
      stage: config.stage,
      bucket,
      reconcile,
      ...config.backfill,
      logRetention: config.logRetentionDays,
      removalPolicy,
    });
    // The stage's operational alarms: sent to the alarm topic, and the rollback monitors of
    // every feature-flags deployment.
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { email: config.alarms.email, removalPolicy });
    this.alarms = new PipelineAlarms(this, 'Alarms', {
      config: config.alarms,
      stateMachine: this.workflow.stateMachine,
      deadLetterQueue: props.deadLetterQueue,
    });
    // AppConfig's validator of the flags profile (functions/validate-flags).
    const validateFlags = build(FUNCTIONS.validateFlags);
    this.flags = this.featureFlags(
      config,
      { detect, start, applyFlags, reconcile, validateFlags },
      ingestSource,
    );

    const functions = { claim, validate, detect, store, record, start, applyFlags, reconcile, validateFlags };
    this.functions = { ...functions, countLabels };
    // CodeDeploy canaries on the workflow functions' aliases, with their hooks (infra/constructs/delivery.ts).
    this.delivery = new Delivery(this, 'Delivery', {
      config,
      applicationName: deliveryApplicationName(config.stage),
      bucket,
      stateMachineName: labelWorkflowName(config.stage),
      removalPolicy,
      releases: { ...functions, countLabels },
    });
    Validations.of(this.workflow).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Express workflow logging and X-Ray tracing: logs:*LogDelivery* and xray:* actions have no resource-level permissions.',
    });
  }

  /** The label-image state machine, its tasks filled with the task functions' live aliases. */
  private labelWorkflow(config: StageConfig, tasks: LabelerFunction[]): LabelWorkflow {
    return new LabelWorkflow(this, 'LabelImage', {
      tasks: Object.fromEntries(tasks.map((fn) => [fn.spec.placeholder, fn.alias])) as LabelWorkflowTasks,
      logLevel: config.workflowLogLevel,
      logIncludesData: config.workflowLogIncludesData,
      logRetention: config.logRetentionDays,
      removalPolicy: removalPolicyOf(config),
      stateMachineName: labelWorkflowName(config.stage),
    });
  }

  /** Builds a function of the FUNCTIONS table in this stack with the house construct. */
  private builder(props: PipelineStackProps, resources: PermissionResources): Build {
    const { config, timing } = props;
    const removalPolicy = removalPolicyOf(config);
    const context: FunctionContext = { config, timing, tableName: props.table.tableName };
    return (spec, ...extras) =>
      new LabelerFunction(this, spec.id, {
        spec,
        config,
        removalPolicy,
        timeout: Duration.seconds(spec.timeoutSeconds(timing)),
        environment: environmentOf(spec, context, ...extras),
        resources,
      });
  }

  /**
   * Feature flags in AppConfig (infra/constructs/feature-flags.ts): detect, start and apply-flags
   * read them (and reconcile), validate-flags checks each new version, and apply-flags runs on a
   * schedule against the ingest event source.
   */
  private featureFlags(
    config: StageConfig,
    fns: Record<'detect' | 'start' | 'applyFlags' | 'reconcile' | 'validateFlags', LabelerFunction>,
    ingestSource: SqsEventSource,
  ): FeatureFlags {
    const { detect, start, applyFlags, reconcile } = fns;
    const flags = new FeatureFlags(this, 'FeatureFlags', {
      config,
      readers: [detect, start, applyFlags],
      alarms: this.alarms.all,
      validator: fns.validateFlags,
    });
    flags.grantRead(detect, start, applyFlags, reconcile);
    flags.applyOnSchedule(applyFlags, ingestSource.eventSourceMappingArn);
    return flags;
  }
}

/** The ingest queue as start-workflow's event source, batched and capped per the stage. */
function ingestSourceOf(queue: sqs.IQueue, config: StageConfig): SqsEventSource {
  return new SqsEventSource(queue, {
    batchSize: config.ingest.batchSize,
    maxBatchingWindow: Duration.seconds(config.ingest.maxBatchingWindowSeconds),
    maxConcurrency: config.ingest.maxConcurrency,
    reportBatchItemFailures: true,
  });
}
