export { AwsChunkedDecoder } from './chunked';
export { decodeS3EventKey, encodeS3EventKey, type S3EventName, type S3EventRecord } from './events';
export { createS3Service, S3Error, type S3Service, type S3ServiceOptions } from './service';
