/**
 * List prices used by the cost model: us-east-1, on-demand, first pricing tier, read on
 * 2026-11-25. Each entry names its source; `verified: false` marks a figure this project
 * could not confirm from an AWS page at that date (check it before relying on it).
 */
export interface Price {
  usd: number;
  per: string;
  source: string;
  verified: boolean;
}

export const PRICES_DATE = '2026-11-25';
export const PRICES_REGION = 'us-east-1';

export const PRICES = {
  rekognitionImage: {
    usd: 0.001,
    per: 'image (DetectLabels, Group 2 API, first 1M images/month)',
    source: 'https://aws.amazon.com/rekognition/pricing/',
    verified: false,
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    per: 'request',
    source: 'https://aws.amazon.com/lambda/pricing/',
    verified: false,
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 'GB-second (arm64)',
    source: 'https://aws.amazon.com/lambda/pricing/',
    verified: false,
  },
  expressRequest: {
    usd: 1 / 1e6,
    per: 'Express workflow request',
    source: 'https://aws.amazon.com/step-functions/pricing/ (3rd-party quote in notes)',
    verified: false,
  },
  expressGbSecond: {
    usd: 0.00001667,
    per: 'Express GB-second (64 MB chunks, 100 ms rounding)',
    source: 'https://aws.amazon.com/step-functions/pricing/ (3rd-party quote in notes)',
    verified: false,
  },
  standardTransition: {
    usd: 0.025 / 1000,
    per: 'Standard state transition',
    source: 'https://aws.amazon.com/step-functions/pricing/',
    verified: true,
  },
  sqsRequest: {
    usd: 0.4 / 1e6,
    per: 'SQS standard request (64 KB chunk)',
    source: 'https://aws.amazon.com/sqs/pricing/',
    verified: false,
  },
  dynamoWriteUnit: {
    usd: 0.625 / 1e6,
    per: 'on-demand write request unit',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    verified: false,
  },
  dynamoReadUnit: {
    usd: 0.125 / 1e6,
    per: 'on-demand read request unit',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    verified: false,
  },
  s3Put: {
    usd: 0.005 / 1000,
    per: 'S3 Standard PUT',
    source: 'https://aws.amazon.com/s3/pricing/',
    verified: false,
  },
  s3Get: {
    usd: 0.0004 / 1000,
    per: 'S3 Standard GET/HEAD',
    source: 'https://aws.amazon.com/s3/pricing/',
    verified: false,
  },
  logsIngestGb: {
    usd: 0.5,
    per: 'GB of CloudWatch Logs ingested',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    verified: false,
  },
  xrayTrace: {
    usd: 5 / 1e6,
    per: 'X-Ray trace recorded',
    source: 'https://aws.amazon.com/xray/pricing/',
    verified: false,
  },
} as const satisfies Record<string, Price>;
