/**
 * The CDK app: reads the stage from context (`-c stage=dev|prod`), validates its
 * configuration, and wires it to the stacks. Nothing else happens here.
 */
import { App, Aws, Tags, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { withAlarmEmail } from './config/delivery-config';
import { imagesBucketName, loadStageConfig } from './config/stage-config';
import { pipelineTiming } from './config/timing';
import { ApiStack } from './stacks/api-stack';
import { githubOidcStack } from './stacks/github-oidc-stack';
import { MonitoringStack } from './stacks/monitoring-stack';
import { PipelineStack } from './stacks/pipeline-stack';
import { StorageStack } from './stacks/storage-stack';

export function buildApp(app: App = new App()) {
  const config = withAlarmEmail(
    loadStageConfig(app.node.tryGetContext('stage') ?? 'dev'),
    app.node.tryGetContext('alarmEmail'),
  );
  const timing = pipelineTiming();
  const env = {
    account: config.env.account ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: config.env.region ?? process.env.CDK_DEFAULT_REGION,
  };
  const prefix = `ImageLabeling-${config.stage}`;

  const storage = new StorageStack(app, `${prefix}-Storage`, {
    env,
    config,
    timing,
    description: `Image labeling (${config.stage}): images bucket, labels table, ingest queues.`,
    terminationProtection: config.removalPolicy === 'retain',
  });
  const pipeline = new PipelineStack(app, `${prefix}-Pipeline`, {
    env,
    config,
    timing,
    description: `Image labeling (${config.stage}): functions and the label-image workflow.`,
    // By name, not by reference: the same bucket, and a stable name in IAM findings.
    bucket: s3.Bucket.fromBucketName(
      storage,
      'ImagesByName',
      imagesBucketName(config, Aws.ACCOUNT_ID, Aws.REGION),
    ),
    table: storage.labels.table,
    queue: storage.ingest.queue,
    deadLetterQueue: storage.ingest.deadLetterQueue,
  });
  pipeline.addStackDependency(storage);
  const api = new ApiStack(app, `${prefix}-Api`, {
    env,
    config,
    timing,
    description: `Image labeling (${config.stage}): the labels API (HTTP API, Cognito, API function).`,
    bucket: s3.Bucket.fromBucketName(
      storage,
      'ImagesForApi',
      imagesBucketName(config, Aws.ACCOUNT_ID, Aws.REGION),
    ),
    table: storage.labels.table,
  });
  api.addStackDependency(storage);
  // Dashboard, alarms and their topic (infra/stacks/monitoring-stack.ts).
  const monitoring = new MonitoringStack(app, `${prefix}-Monitoring`, {
    env,
    config,
    description: `Image labeling (${config.stage}): dashboard, alarms and the alarm topic.`,
    stateMachine: pipeline.workflow.stateMachine,
    queue: storage.ingest.queue,
    deadLetterQueue: storage.ingest.deadLetterQueue,
    topic: pipeline.alarmTopic,
    pipelineAlarms: pipeline.alarms,
    labelCountsAlarms: pipeline.labelCounts.alarms,
    deliveries: [pipeline.delivery, api.delivery],
    flags: pipeline.flags,
    api: api.labelsApi.api,
  });
  monitoring.addStackDependency(pipeline);
  monitoring.addStackDependency(api);
  Tags.of(app).add('project', 'image-labeling');
  Tags.of(app).add('stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const githubOidc = githubOidcStack(app);
  return { app, config, storage, pipeline, api, monitoring, githubOidc };
}
