/**
 * AWS SDK clients, one module per service: each is created once per execution environment and
 * shared by every module of a function. One module per service so that a function imports, and
 * pays the cold-start cost of, only the clients it uses, whether the SDK is in its bundle or
 * comes from the runtime (infra/config/bundling.ts). Endpoints come from the standard AWS_ENDPOINT_URL /
 * AWS_ENDPOINT_URL_<SERVICE> variables, which is how the local cloud points the same code at
 * local services.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { traced } from '../../shared/tracing';

let client: S3Client | undefined;
let presigner: S3Client | undefined;

export function s3(): S3Client {
  client ??= traced(new S3Client({}));
  return client;
}

/**
 * Signs upload and image URLs. Checksums WHEN_REQUIRED: by default the SDK puts the CRC32 of
 * an empty body into a presigned PUT URL, and real S3 then rejects every upload to it
 * (aws/aws-sdk-js-v3#6994); and it adds `x-amz-checksum-mode=ENABLED` to a presigned GET,
 * which asks S3 for checksum headers that a browser never checks.
 */
export function s3Presigner(): S3Client {
  presigner ??= new S3Client({
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return presigner;
}
