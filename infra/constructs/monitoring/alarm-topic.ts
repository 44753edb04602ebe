/**
 * Where alarms go: an SNS topic, encrypted with a customer managed key that CloudWatch may use
 * (CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key), TLS only, with
 * an optional e-mail subscription.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  email?: string | undefined;
  removalPolicy: RemovalPolicy;
}

export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the alarm notifications topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Image labeling alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }

  /** Notifies the topic when `alarm` fires and when it recovers. */
  notify(...alarms: cloudwatch.Alarm[]): void {
    const action = new actions.SnsAction(this.topic);
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}
