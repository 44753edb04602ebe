/**
 * Watching a stage: the operations dashboard, the API's alarm and the deployment notifications.
 * A stack of its own that depends on the others (nothing depends on it), so the API stack can be
 * added to it without a dependency cycle. The alarm topic and the pipeline's alarms live in the
 * pipeline stack (they also roll back feature-flags deployments there), the canaries' rollback
 * alarms with their deployment groups; this dashboard shows the state of all of them, and the
 * notifications (infra/constructs/delivery-notifications.ts) tell the topic what deployments and
 * rollback alarms do.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stage-config';
import type { Delivery } from '../constructs/delivery';
import { DeliveryNotifications } from '../constructs/delivery-notifications';
import type { FeatureFlags } from '../constructs/feature-flags';
import type { AlarmTopic } from '../constructs/monitoring/alarm-topic';
import { OperationsDashboard } from '../constructs/monitoring/operations-dashboard';
import { ApiAlarms, type PipelineAlarms } from '../constructs/monitoring/pipeline-alarms';

export interface MonitoringStackProps extends StackProps {
  config: StageConfig;
  /** The pipeline stack's alarm topic and operational alarms (they also guard flags deployments). */
  topic: AlarmTopic;
  pipelineAlarms: PipelineAlarms;
  /** The label counts' lag and failed batches (infra/constructs/label-counts.ts). */
  labelCountsAlarms: cloudwatch.Alarm[];
  stateMachine: sfn.IStateMachine;
  queue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
  /** Every stack's canary releases: the dashboard shows each function's versions. */
  deliveries: Delivery[];
  /** The stage's feature flags: their rollbacks and fallback alarm are notified. */
  flags: FeatureFlags;
  /** The labels API (an HTTP API): adds its widgets and its 5xx alarm. */
  api?: apigwv2.IHttpApi | undefined;
}

export class MonitoringStack extends Stack {
  readonly apiAlarms: ApiAlarms | undefined;
  readonly dashboard: OperationsDashboard;
  readonly notifications: DeliveryNotifications;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.apiAlarms = props.api
      ? new ApiAlarms(this, 'Alarms', { config: config.alarms, api: props.api })
      : undefined;
    const releases = props.deliveries.flatMap((delivery) => Object.values(delivery.releases));
    // What an operator is told about beyond the releases' own alarms.
    const operationalAlarms = [
      ...props.pipelineAlarms.all,
      ...props.labelCountsAlarms,
      ...(this.apiAlarms ? [this.apiAlarms.api5xx] : []),
    ];
    this.dashboard = new OperationsDashboard(this, 'Operations', {
      dashboardName: `ImageLabeling-${config.stage}`,
      stateMachine: props.stateMachine,
      queue: props.queue,
      deadLetterQueue: props.deadLetterQueue,
      functions: releases.map((release) => release.target),
      alarms: [...releases.flatMap((release) => release.alarms), ...operationalAlarms],
      api: props.api,
    });
    this.notifications = new DeliveryNotifications(this, 'DeliveryNotifications', {
      stage: config.stage,
      topic: props.topic,
      deliveries: props.deliveries,
      flags: props.flags,
      operationalAlarms,
    });
  }
}
