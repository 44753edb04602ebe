/**
 * CORS for the web console's origins on the labels API and on the images bucket, set by API
 * calls at deploy time instead of in the templates, which is what lets one `cdk deploy --all`
 * build everything in a single pass:
 *
 * - the API's CORS names the console's CloudFront domain, while the distribution's
 *   Content-Security-Policy names the API's URL: declared on the API, that is a cycle;
 * - the images bucket lives in the storage stack, deployed before this one, so its template
 *   cannot name a distribution that does not exist yet.
 *
 * So neither template declares CORS, and this construct, created after the API and the
 * distribution, sets both (apigatewayv2 UpdateApi, s3 PutBucketCors) on create and on every
 * change of origins, and removes them when it is deleted. The rules themselves are the shared
 * ones in infra/config/console.ts, which the local cloud applies too.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { API_CORS, IMAGES_BUCKET_CORS } from '../config/console';

export interface BrowserCorsProps {
  api: apigw.IHttpApi;
  /** Origins (`scheme://host[:port]`) that may call the API from a browser. */
  apiOrigins: string[];
  bucket: s3.IBucket;
  /** Origins that may PUT and GET the bucket's objects through presigned URLs. */
  bucketOrigins: string[];
}

export class BrowserCors extends Construct {
  readonly apiCors: cr.AwsCustomResource;
  readonly bucketCors: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: BrowserCorsProps) {
    super(scope, id);
    const { api, bucket } = props;
    const apiArn = Stack.of(this).formatArn({
      service: 'apigateway',
      account: '',
      resource: '/apis',
      resourceName: api.apiId,
    });

    const apiCall = (action: string, parameters: Record<string, unknown>): cr.AwsSdkCall => ({
      service: 'ApiGatewayV2',
      action,
      parameters,
      physicalResourceId: cr.PhysicalResourceId.of(`${api.apiId}-cors`),
    });
    this.apiCors = new cr.AwsCustomResource(this, 'Api', {
      resourceType: 'Custom::HttpApiCors',
      onUpdate: apiCall('UpdateApi', {
        ApiId: api.apiId,
        CorsConfiguration: {
          AllowOrigins: props.apiOrigins,
          AllowMethods: [...API_CORS.allowMethods],
          AllowHeaders: [...API_CORS.allowHeaders],
          ExposeHeaders: [...API_CORS.exposeHeaders],
          MaxAge: API_CORS.maxAgeSeconds,
        },
      }),
      onDelete: apiCall('DeleteCorsConfiguration', { ApiId: api.apiId }),
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        // UpdateApi is a PATCH of the API, DeleteCorsConfiguration a DELETE of its /cors.
        new iam.PolicyStatement({ actions: ['apigateway:PATCH'], resources: [apiArn] }),
        new iam.PolicyStatement({ actions: ['apigateway:DELETE'], resources: [`${apiArn}/cors`] }),
      ]),
      installLatestAwsSdk: false,
    });

    const bucketCall = (action: string, parameters: Record<string, unknown>): cr.AwsSdkCall => ({
      service: 'S3',
      action,
      parameters,
      physicalResourceId: cr.PhysicalResourceId.of(`${bucket.bucketName}-cors`),
    });
    this.bucketCors = new cr.AwsCustomResource(this, 'Bucket', {
      resourceType: 'Custom::BucketCors',
      onUpdate: bucketCall('PutBucketCors', {
        Bucket: bucket.bucketName,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: props.bucketOrigins,
              AllowedMethods: [...IMAGES_BUCKET_CORS.allowedMethods],
              AllowedHeaders: [...IMAGES_BUCKET_CORS.allowedHeaders],
              ExposeHeaders: [...IMAGES_BUCKET_CORS.exposedHeaders],
              MaxAgeSeconds: IMAGES_BUCKET_CORS.maxAgeSeconds,
            },
          ],
        },
      }),
      onDelete: bucketCall('DeleteBucketCors', { Bucket: bucket.bucketName }),
      // PutBucketCors and DeleteBucketCors both need s3:PutBucketCORS, on the bucket only.
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['s3:PutBucketCORS'], resources: [bucket.bucketArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    // Both calls run in one CDK-provided function, whose role this is.
    Validations.of(this.bucketCors.grantPrincipal as iam.Role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'The CDK AwsCustomResource function that sets the CORS writes its own logs; its API calls are granted above, on the API and the bucket only.',
    });
  }
}
