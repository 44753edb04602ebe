/**
 * The labels API, in its own stack: the API function (one function, every route), the HTTP
 * API with its Cognito authorizer, the secret that signs page cursors, and the web console
 * that calls it. Fed the storage stack's bucket (by name) and table; independent of the
 * pipeline stack.
 */
import { Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { environmentOf, FUNCTIONS } from '../config/functions';
import type { StageConfig } from '../config/stage-config';
import type { PipelineTiming } from '../config/timing';
import { Delivery } from '../constructs/delivery';
import { LabelerFunction } from '../constructs/labeler-function';
import { LabelsApi } from '../constructs/labels-api';
import { WebConsole } from '../constructs/web-console';
import { removalPolicyOf } from './removal-policy';

export interface ApiStackProps extends StackProps {
  config: StageConfig;
  timing: PipelineTiming;
  bucket: s3.IBucket;
  table: dynamodb.ITable;
}

export class ApiStack extends Stack {
  readonly function: LabelerFunction;
  readonly labelsApi: LabelsApi;
  readonly console: WebConsole;
  readonly cursorSecret: secretsmanager.Secret;
  readonly delivery: Delivery;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, timing, bucket, table } = props;
    const removalPolicy = removalPolicyOf(config);

    // The HMAC key of the page cursors, generated at deploy; it never leaves Secrets Manager
    // and the function (not in the function's environment, not in the template).
    this.cursorSecret = new secretsmanager.Secret(this, 'CursorKey', {
      description: 'HMAC key that signs the labels API page cursors.',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'An HMAC key for short-lived page cursors, not a credential: rotating it would only invalidate open cursors. Replace the secret to rotate.',
    });

    const spec = FUNCTIONS.api;
    this.function = new LabelerFunction(this, spec.id, {
      spec,
      config,
      removalPolicy,
      timeout: Duration.seconds(spec.timeoutSeconds(timing)),
      environment: environmentOf(
        spec,
        { config, timing, tableName: table.tableName },
        { bucketName: bucket.bucketName, cursorSecretId: this.cursorSecret.secretArn },
      ),
      resources: { table, bucket, cursorSecret: this.cursorSecret },
    });
    const fn = this.function;

    this.labelsApi = new LabelsApi(this, 'Endpoint', { config, handler: fn.alias, removalPolicy });
    // The web console: its CloudFront distribution, app client and config.json, and the CORS
    // of the API and the images bucket for its origins (infra/constructs/web-console.ts).
    this.console = new WebConsole(this, 'Console', {
      config,
      labelsApi: this.labelsApi,
      imagesBucket: bucket,
      removalPolicy,
    });

    // The API function ships through its own canary too: its pre-traffic hook calls the new
    // version with GET /openapi.json (no data, no token); there is no workflow to run after.
    this.delivery = new Delivery(this, 'Delivery', {
      config,
      applicationName: `image-labeling-${config.stage}-api`,
      bucket,
      removalPolicy,
      releases: { api: fn },
    });
  }
}
