/**
 * The buffer between S3 and the workflow: S3 ObjectCreated notifications land in an SQS
 * queue; messages that fail maxReceiveCount times move to the dead-letter queue.
 */
import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface IngestQueueProps {
  bucket: s3.IBucket;
  visibilityTimeout: Duration;
  maxReceiveCount: number;
  removalPolicy: RemovalPolicy;
}

export class IngestQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: IngestQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    this.queue = new sqs.Queue(this, 'Uploads', {
      // SSE-SQS: S3 can publish to it without a KMS key policy.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
      removalPolicy: props.removalPolicy,
    });
    props.bucket.addEventNotification(
      // Every way an object is created: Put, Post, Copy, CompleteMultipartUpload.
      's3:ObjectCreated:*' as s3.EventType,
      new s3n.SqsDestination(this.queue),
    );
    // Every way an object is removed (Delete, DeleteMarkerCreated): its records are removed too.
    props.bucket.addEventNotification(
      's3:ObjectRemoved:*' as s3.EventType,
      new s3n.SqsDestination(this.queue),
    );
    // CDK writes the notification configuration with a custom-resource function of its own.
    const handler = Stack.of(this).node.tryFindChild(
      'BucketNotificationsHandler050a0587b7544547bf325f094a3db834',
    );
    if (handler) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's own BucketNotificationsHandler custom resource; its role is not configurable.",
      });
    }
  }
}
