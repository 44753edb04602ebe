/**
 * Stateful resources: the images bucket, the labels table, the ingest queues (messages are
 * state too) and the image events bus with its archive. Kept apart from the stateless pipeline
 * so the pipeline can be destroyed and redeployed freely.
 */
import { Aws, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { imagesBucketName, type StageConfig } from '../config/stage-config';
import type { PipelineTiming } from '../config/timing';
import { ImageEvents } from '../constructs/image-events';
import { ImageStore } from '../constructs/image-store';
import { IngestQueue } from '../constructs/ingest-queue';
import { LabelsTable } from '../constructs/labels-table';
import { removalPolicyOf } from './removal-policy';

export interface StorageStackProps extends StackProps {
  config: StageConfig;
  timing: PipelineTiming;
}

export class StorageStack extends Stack {
  readonly images: ImageStore;
  readonly labels: LabelsTable;
  readonly ingest: IngestQueue;
  readonly imageEvents: ImageEvents;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    const removalPolicy = removalPolicyOf(props.config);
    this.images = new ImageStore(this, 'ImageStore', {
      bucketName: imagesBucketName(props.config, Aws.ACCOUNT_ID, Aws.REGION),
      removalPolicy,
      noncurrentVersionExpiration: Duration.days(props.config.images.noncurrentVersionExpirationDays),
    });
    this.labels = new LabelsTable(this, 'Labels', {
      removalPolicy,
      deletionProtection: props.config.deletionProtection,
    });
    this.ingest = new IngestQueue(this, 'Ingest', {
      bucket: this.images.bucket,
      visibilityTimeout: Duration.seconds(props.timing.queueVisibilityTimeoutSeconds),
      maxReceiveCount: props.config.ingest.maxReceiveCount,
      removalPolicy,
    });
    // Named `image-labeling-<stage>`: the publishing functions reach it by that name, not by export.
    // Its archive keeps events as long as the bucket keeps old versions: a replayed event names
    // an object version that may still be there.
    this.imageEvents = new ImageEvents(this, 'ImageEvents', {
      stage: props.config.stage,
      archiveRetention: Duration.days(props.config.images.noncurrentVersionExpirationDays),
      removalPolicy,
    });
  }
}
