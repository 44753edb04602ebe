/**
 * Operational alarms: failed workflow runs, dead letters and Rekognition throttling
 * (PipelineAlarms, in the pipeline stack, where they also roll back a feature-flags deployment),
 * and API 5xx (ApiAlarms, in the monitoring stack). They reach the alarm topic as sentences,
 * through an EventBridge rule of the monitoring stack (infra/constructs/delivery-notifications.ts),
 * not through alarm actions, whose messages are CloudWatch's raw JSON.
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { AlarmsConfig } from '../../config/delivery-config';
import { businessMetric } from './metrics';

/** How every operational alarm judges its metric: one period at or over the threshold, no data is fine. */
export const OPERATIONAL_ALARM = {
  evaluationPeriods: 1,
  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
} as const;

export interface PipelineAlarmsProps {
  config: AlarmsConfig;
  stateMachine: sfn.IStateMachine;
  deadLetterQueue: sqs.IQueue;
}

export class PipelineAlarms extends Construct {
  readonly failedExecutions: cloudwatch.Alarm;
  readonly deadLetters: cloudwatch.Alarm;
  readonly rekognitionThrottles: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    const { config } = props;
    const period = Duration.minutes(config.periodMinutes);

    this.failedExecutions = new cloudwatch.MathExpression({
      expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
      usingMetrics: {
        failed: props.stateMachine.metricFailed({ period, statistic: 'Sum' }),
        timedOut: props.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
      },
      label: 'Failed or timed-out executions',
      period,
    }).createAlarm(this, 'FailedExecutions', {
      ...OPERATIONAL_ALARM,
      alarmDescription:
        'label-image runs failed or timed out: their messages return to the queue and may end in the DLQ.',
      threshold: config.failedExecutions,
    });

    this.deadLetters = props.deadLetterQueue
      .metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' })
      .createAlarm(this, 'DeadLetters', {
        ...OPERATIONAL_ALARM,
        alarmDescription: 'Upload events in the dead-letter queue: their images have no final record.',
        threshold: config.deadLetterMessages,
      });

    this.rekognitionThrottles = businessMetric(
      'detect-labels',
      'RekognitionThrottles',
      'Sum',
      period,
    ).createAlarm(this, 'RekognitionThrottles', {
      ...OPERATIONAL_ALARM,
      alarmDescription:
        'Rekognition DetectLabels is throttling (retried by the workflow): lower ingest.maxConcurrency or raise the TPS quota.',
      threshold: config.rekognitionThrottles,
    });
  }

  /** The alarms that also roll back a feature-flags deployment (the flags act on the workflow). */
  get all(): cloudwatch.Alarm[] {
    return [this.failedExecutions, this.deadLetters, this.rekognitionThrottles];
  }
}

export interface ApiAlarmsProps {
  config: AlarmsConfig;
  api: apigwv2.IHttpApi;
}

/** The labels API answering 5xx. */
export class ApiAlarms extends Construct {
  readonly api5xx: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ApiAlarmsProps) {
    super(scope, id);
    this.api5xx = props.api
      .metricServerError({ period: Duration.minutes(props.config.periodMinutes), statistic: 'Sum' })
      .createAlarm(this, 'Api5xx', {
        ...OPERATIONAL_ALARM,
        alarmDescription: 'The labels API answers with 5xx errors.',
        threshold: props.config.api5xx,
      });
  }
}
