/**
 * AWS SDK clients, created once per execution environment and shared by every module of a
 * function. Each is a memoised getter so that esbuild drops the clients a function never uses.
 * Endpoints come from the standard AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables,
 * which is how the local cloud points the same code at local services (an IP-address endpoint
 * such as http://127.0.0.1:4566 makes the S3 client use path-style addressing by itself).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
