/**
 * AWS SDK clients, created once per execution environment and shared by every module of a
 * function. Each is a memoised getter so that esbuild drops the clients a function never uses.
 * Endpoints come from the standard AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables,
 * which is how the local cloud points the same code at local services (an IP-address endpoint
 * such as http://127.0.0.1:4566 makes the S3 client use path-style addressing by itself).
 */
import { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from './observability';

let s3Client: S3Client | undefined;
let rekognitionClient: RekognitionClient | undefined;
let dynamoClient: DynamoDBDocumentClient | undefined;
let sfnClient: SFNClient | undefined;

export function s3(): S3Client {
  s3Client ??= tracer.captureAWSv3Client(new S3Client({}));
  return s3Client;
}

/**
 * Retries of Rekognition throttling live in the state machine (backoff with full jitter,
 * visible in the execution history and capped by MaxDelaySeconds), so the SDK does not retry
 * underneath them: layered retries would multiply.
 */
export function rekognition(): RekognitionClient {
  rekognitionClient ??= tracer.captureAWSv3Client(new RekognitionClient({ maxAttempts: 1 }));
  return rekognitionClient;
}

export function dynamo(): DynamoDBDocumentClient {
  dynamoClient ??= DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return dynamoClient;
}

export function sfn(): SFNClient {
  sfnClient ??= tracer.captureAWSv3Client(new SFNClient({}));
  return sfnClient;
}

let codeDeployClient: CodeDeployClient | undefined;
let lambdaClient: LambdaClient | undefined;

/** Deployment hooks report their verdict to CodeDeploy. */
export function codedeploy(): CodeDeployClient {
  codeDeployClient ??= tracer.captureAWSv3Client(new CodeDeployClient({}));
  return codeDeployClient;
}

/** Deployment hooks invoke the new version of a function directly. */
export function lambda(): LambdaClient {
  lambdaClient ??= tracer.captureAWSv3Client(new LambdaClient({}));
  return lambdaClient;
}

let appConfigDataClient: AppConfigDataClient | undefined;

/**
 * Feature flags (functions/shared/flags.ts). Short timeouts and one retry: when AppConfig is
 * slow or down, the functions fall back to safe defaults quickly instead of stalling a run.
 */
export function appConfigData(): AppConfigDataClient {
  appConfigDataClient ??= tracer.captureAWSv3Client(
    new AppConfigDataClient({
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },
    }),
  );
  return appConfigDataClient;
}

let presignerClient: S3Client | undefined;

/**
 * Signs upload URLs. WHEN_REQUIRED: by default the SDK puts the CRC32 of an empty body into a
 * presigned PUT URL, and real S3 then rejects every upload to it (aws/aws-sdk-js-v3#6994).
 */
export function s3Presigner(): S3Client {
  presignerClient ??= new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED' });
  return presignerClient;
}
