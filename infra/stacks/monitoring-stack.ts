/**
 * Watching a stage: the operations dashboard, the operational alarms and their SNS topic. A
 * stack of its own that depends on the others (nothing depends on it), so the API stack can
 * be added to it without a dependency cycle. The canaries' rollback alarms live with their
 * deployment groups in the pipeline stack; this dashboard shows their state.
 */
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stage-config';
import type { Delivery } from '../constructs/delivery';
import { AlarmTopic } from '../constructs/monitoring/alarm-topic';
import { OperationsDashboard } from '../constructs/monitoring/operations-dashboard';
import { PipelineAlarms } from '../constructs/monitoring/pipeline-alarms';

export interface MonitoringStackProps extends StackProps {
  config: StageConfig;
  stateMachine: sfn.IStateMachine;
  queue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
  /** Every stack's canary releases: the dashboard shows each function's versions. */
  deliveries: Delivery[];
  /** The labels API (an HTTP API): adds its widgets and its 5xx alarm. */
  api?: apigwv2.IHttpApi | undefined;
}

export class MonitoringStack extends Stack {
  readonly topic: AlarmTopic;
  readonly alarms: PipelineAlarms;
  readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.topic = new AlarmTopic(this, 'AlarmTopic', {
      email: config.alarms.email,
      removalPolicy: config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.alarms = new PipelineAlarms(this, 'Alarms', {
      config: config.alarms,
      topic: this.topic,
      stateMachine: props.stateMachine,
      deadLetterQueue: props.deadLetterQueue,
      api: props.api,
    });
    const releases = props.deliveries.flatMap((delivery) => Object.values(delivery.releases));
    this.dashboard = new OperationsDashboard(this, 'Operations', {
      dashboardName: `ImageLabeling-${config.stage}`,
      stateMachine: props.stateMachine,
      queue: props.queue,
      deadLetterQueue: props.deadLetterQueue,
      functions: releases.map((release) => release.target),
      alarms: [...releases.flatMap((release) => release.alarms), ...this.alarms.all],
      api: props.api,
    });
  }
}
