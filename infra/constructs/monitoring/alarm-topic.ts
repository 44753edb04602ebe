/**
 * Where operators hear from the stage: an SNS topic, encrypted with a customer managed key (a
 * service cannot publish to a topic encrypted with the AWS managed SNS key), TLS only, with an
 * optional e-mail subscription. EventBridge rules publish to it, in sentences
 * (infra/constructs/delivery-notifications.ts, which also grants EventBridge the topic and key).
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
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
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Image labeling alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }
}
