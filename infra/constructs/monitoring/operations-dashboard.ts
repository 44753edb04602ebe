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
import { DEPLOYMENT_HOOKS_SERVICE } from '../../config/functions';
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

export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const { stateMachine, queue, deadLetterQueue } = props;
    const sum = { period: FIVE_MINUTES, statistic: 'Sum' };
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    // The CloudFormation spec (and so CDK) has dashboard Tags; cfn-lint 1.51 here rejects them (E3002).
    (this.dashboard.node.defaultChild as cloudwatch.CfnDashboard).addPropertyDeletionOverride('Tags');

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          '# Image labeling\nPipeline, canaries (one line per executed version of each `live` alias) and API. See README "Safe delivery".',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Uploads and workflow runs',
        width: 12,
        left: [
          queue.metricNumberOfMessagesSent({ ...sum, label: 'Uploads (S3 events queued)' }),
          businessMetric('start-workflow', 'MessagesReceived'),
          stateMachine.metricStarted({ ...sum, label: 'Executions started' }),
          stateMachine.metricSucceeded({ ...sum, label: 'Executions succeeded' }),
          stateMachine.metricFailed({ ...sum, label: 'Executions failed' }),
          stateMachine.metricTimedOut({ ...sum, label: 'Executions timed out' }),
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
    );
    this.dashboard.addWidgets(
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
          deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: 'Maximum',
            label: 'Dead letters',
          }),
          queue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: 'Maximum',
            label: 'Uploads waiting',
          }),
        ],
        right: [
          queue.metricApproximateAgeOfOldestMessage({
            period: Duration.minutes(1),
            statistic: 'Maximum',
            label: 'Age of the oldest upload (s)',
          }),
        ],
      }),
    );

    const canaries = props.functions.map(
      (target) =>
        new cloudwatch.GraphWidget({
          title: `Canary: ${target.spec.handlerDir}`,
          width: 8,
          left: [
            byExecutedVersion(target.function.functionName, 'Invocations', 'Sum'),
            byExecutedVersion(target.function.functionName, 'Errors', 'Sum'),
          ],
          right: [byExecutedVersion(target.function.functionName, 'Duration', 'p99')],
          rightYAxis: { label: 'p99 ms', showUnits: false, min: 0 },
        }),
    );
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

    if (props.api) {
      const api = props.api;
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: 'API requests and errors',
          width: 12,
          left: [
            api.metricCount({ ...sum, label: 'Requests' }),
            api.metricClientError({ ...sum, label: '4xx' }),
            api.metricServerError({ ...sum, label: '5xx' }),
          ],
        }),
        new cloudwatch.GraphWidget({
          title: 'API latency',
          width: 12,
          left: [api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99', label: 'p99 latency' })],
          leftYAxis: { label: 'ms', showUnits: false, min: 0 },
        }),
      );
    }
  }
}
