/**
 * The label counts (functions/core/label-counts.ts): the labels table's stream as count-labels'
 * event source, where a batch that keeps failing is reported, and the alarms that say the counts
 * fall behind or lost a batch.
 */
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { IMAGE_SK } from '../../functions/core/labels-table';
import type { AlarmsConfig } from '../config/delivery-config';
import type { StageConfig } from '../config/stage-config';
import type { LabelerFunction } from './labeler-function';
import { OPERATIONAL_ALARM } from './monitoring/pipeline-alarms';

export interface LabelCountsProps {
  table: dynamodb.ITable;
  /** count-labels, built by the house construct. */
  countLabels: LabelerFunction;
  config: StageConfig['labelCounts'];
  alarms: AlarmsConfig;
  removalPolicy: RemovalPolicy;
}

export class LabelCounts extends Construct {
  readonly source: DynamoEventSource;
  /** What Lambda sends when a batch still fails after its retries: where in the stream it was. */
  readonly failures: sqs.Queue;
  readonly lag: cloudwatch.Alarm;
  readonly failedBatches: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: LabelCountsProps) {
    super(scope, id);
    const { config } = props;
    this.failures = new sqs.Queue(this, 'Failures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "The stream source's on-failure destination: it holds failure notices (a batch's shard and sequence numbers), never work to redrive, so it has no DLQ of its own.",
    });
    // IMAGE items only, in tumbling windows (their events carry the shard id the slots are
    // keyed by), one batch per shard at a time (the parallelization factor of 1 the ledger
    // relies on). The source is attached to the live alias, so a canary splits the windows too.
    this.source = new DynamoEventSource(props.table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: config.batchSize,
      maxBatchingWindow: Duration.seconds(Math.min(config.windowSeconds, 300)),
      tumblingWindow: Duration.seconds(config.windowSeconds),
      parallelizationFactor: 1,
      bisectBatchOnError: false,
      retryAttempts: 10,
      onFailure: new SqsDlq(this.failures),
      filters: [FilterCriteria.filter({ dynamodb: { Keys: { sk: { S: FilterRule.isEqual(IMAGE_SK) } } } })],
    });
    props.countLabels.alias.addEventSource(this.source);

    const period = Duration.minutes(props.alarms.periodMinutes);
    this.lag = props.countLabels.alias
      .metric('IteratorAge', { period, statistic: 'Maximum' })
      .createAlarm(this, 'Lag', {
        ...OPERATIONAL_ALARM,
        alarmDescription:
          "count-labels reads the labels table's stream late: GET /labels counts lag the images (a failing window is retried, then reported to the failures queue).",
        threshold: props.alarms.labelCountsLagSeconds * 1000,
      });
    this.failedBatches = this.failures
      .metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' })
      .createAlarm(this, 'FailedBatches', {
        ...OPERATIONAL_ALARM,
        alarmDescription:
          'A batch of the labels stream failed count-labels after every retry: some label counts miss its changes. The message says which shard and sequence numbers.',
        threshold: 1,
      });
  }

  /** The alarms an operator is told about. */
  get alarms(): cloudwatch.Alarm[] {
    return [this.lag, this.failedBatches];
  }
}
