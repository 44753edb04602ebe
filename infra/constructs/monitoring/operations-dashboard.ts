/**
 * One CloudWatch dashboard per stage: the pipeline, the canaries (per function, split by
 * executed version, so a rollout shows as it happens) and, when given, the API.
 *
 *   +--------------------------------------+--------------------------------------+
 *   | Uploads and workflow runs            | Outcomes (labeled, rejected by reason,|
 *   |                                      |  failed, duplicates)                  |
 *   +--------------------------------------+--------------------------------------+
 *   | Rekognition: latency p50/p99, calls, | Queues: DLQ depth, age of the oldest  |
 *   |  throttles                           |  message, messages waiting            |
 *   +-------------------------+------------+-------------+------------------------+
 *   | Canary: claim-image     | Canary: validate-image    | Canary: detect-labels  |
 *   | Canary: store-labels    | Canary: record-outcome    | Canary: start-workflow |
 *   |   (invocations, errors, p99 duration: one line per executed version)       |
 *   +-------------------------+---------------------------+------------------------+
 *   | Alarms: rollback alarms of every function, operational alarms               |
 *   +--------------------------------------+--------------------------------------+
 *   | API: requests, 4xx, 5xx              | API: p99 latency       (if an API)   |
 *   +--------------------------------------+--------------------------------------+
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEPLOYMENT_HOOKS_SERVICE } from '../../../functions/core/metrics';
import type { LabelerFunction } from '../labeler-function';
import { businessMetric, byExecutedVersion, rejectedByReason } from './metrics';

export interface OperationsDashboardProps {
  dashboardName: string;
  stateMachine: sfn.IStateMachine;
  queue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
  /** The functions released by canary, in display order. */
  functions: LabelerFunction[];
  alarms: cloudwatch.IAlarm[];
  /** The labels API: its widgets appear only when it is given. */
  api?: apigwv2.IHttpApi | undefined;
}

const FIVE_MINUTES = Duration.minutes(5);
const SUM = { period: FIVE_MINUTES, statistic: 'Sum' };

export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    // The CloudFormation spec (and so CDK) has dashboard Tags; cfn-lint 1.51 here rejects them (E3002).
    (this.dashboard.node.defaultChild as cloudwatch.CfnDashboard).addPropertyDeletionOverride('Tags');

    // Each addWidgets call is one row of the dashboard.
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          '# Image labeling\nPipeline, canaries (one line per executed version of each `live` alias) and API. See README "Safe delivery".',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(...runsAndOutcomes(props));
    this.dashboard.addWidgets(...rekognitionAndQueues(props));
    const canaries = props.functions.map(canaryWidget);
    for (let row = 0; row < canaries.length; row += 3)
      this.dashboard.addWidgets(...canaries.slice(row, row + 3));
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Deployment smoke tests',
        width: 8,
        left: [
          businessMetric(DEPLOYMENT_HOOKS_SERVICE, 'SmokeTestsPassed'),
          businessMetric(DEPLOYMENT_HOOKS_SERVICE, 'SmokeTestsFailed'),
        ],
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 16, height: 6, alarms: props.alarms }),
    );
    if (props.api) this.dashboard.addWidgets(...apiWidgets(props.api));
  }
}

/** Uploads queued and the workflow runs they start; what became of each image. */
function runsAndOutcomes({ stateMachine, queue }: OperationsDashboardProps): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: 'Uploads and workflow runs',
      width: 12,
      left: [
        queue.metricNumberOfMessagesSent({ ...SUM, label: 'Uploads (S3 events queued)' }),
        businessMetric('start-workflow', 'MessagesReceived'),
        stateMachine.metricStarted({ ...SUM, label: 'Executions started' }),
        stateMachine.metricSucceeded({ ...SUM, label: 'Executions succeeded' }),
        stateMachine.metricFailed({ ...SUM, label: 'Executions failed' }),
        stateMachine.metricTimedOut({ ...SUM, label: 'Executions timed out' }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'Outcomes',
      width: 12,
      left: [
        businessMetric('store-labels', 'ImagesLabeled'),
        rejectedByReason(),
        businessMetric('record-outcome', 'ImagesFailed'),
        businessMetric('claim-image', 'DuplicateSkipped'),
        businessMetric('claim-image', 'ReprocessAttempts'),
        businessMetric('start-workflow', 'MessagesFailed'),
      ],
    }),
  ];
}

/** Rekognition's latency and calls; the ingest queue and its dead letters. */
function rekognitionAndQueues({ queue, deadLetterQueue }: OperationsDashboardProps): cloudwatch.IWidget[] {
  const maxPerMinute = { period: Duration.minutes(1), statistic: 'Maximum' };
  return [
    new cloudwatch.GraphWidget({
      title: 'Rekognition',
      width: 12,
      left: [
        businessMetric('detect-labels', 'RekognitionLatency', 'p50'),
        businessMetric('detect-labels', 'RekognitionLatency', 'p99'),
      ],
      leftYAxis: { label: 'ms', showUnits: false, min: 0 },
      right: [
        businessMetric('detect-labels', 'RekognitionCalls'),
        businessMetric('detect-labels', 'RekognitionThrottles'),
        businessMetric('detect-labels', 'DetectionCacheHits'),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'Queues',
      width: 12,
      left: [
        deadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...maxPerMinute, label: 'Dead letters' }),
        queue.metricApproximateNumberOfMessagesVisible({ ...maxPerMinute, label: 'Uploads waiting' }),
      ],
      right: [
        queue.metricApproximateAgeOfOldestMessage({ ...maxPerMinute, label: 'Age of the oldest upload (s)' }),
      ],
    }),
  ];
}

/** A released function's invocations, errors and p99, one line per executed version. */
function canaryWidget(target: OperationsDashboardProps['functions'][number]): cloudwatch.IWidget {
  const name = target.function.functionName;
  return new cloudwatch.GraphWidget({
    title: `Canary: ${target.spec.handlerDir}`,
    width: 8,
    left: [byExecutedVersion(name, 'Invocations', 'Sum'), byExecutedVersion(name, 'Errors', 'Sum')],
    right: [byExecutedVersion(name, 'Duration', 'p99')],
    rightYAxis: { label: 'p99 ms', showUnits: false, min: 0 },
  });
}

/** The API's requests by status class, and its p99 latency. */
function apiWidgets(api: apigwv2.IHttpApi): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: 'API requests and errors',
      width: 12,
      left: [
        api.metricCount({ ...SUM, label: 'Requests' }),
        api.metricClientError({ ...SUM, label: '4xx' }),
        api.metricServerError({ ...SUM, label: '5xx' }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'API latency',
      width: 12,
      left: [api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99', label: 'p99 latency' })],
      leftYAxis: { label: 'ms', showUnits: false, min: 0 },
    }),
  ];
}
