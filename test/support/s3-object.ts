/** Serves one object's bytes from a mocked S3Client: HeadObject and ranged GetObject. */
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import type { AwsClientStub } from 'aws-sdk-client-mock';

type S3Mock = AwsClientStub<S3Client>;

export function body(bytes: Uint8Array) {
  return sdkStreamMixin(Readable.from([Buffer.from(bytes)]));
}

/** The bytes an HTTP Range header selects ("bytes=a-b" or the suffix form "bytes=-n"). */
export function sliceRange(bytes: Uint8Array, range: string | undefined): Uint8Array {
  if (!range) return bytes;
  const suffix = /^bytes=-(\d+)$/.exec(range);
  if (suffix) return bytes.subarray(Math.max(0, bytes.length - Number(suffix[1])));
  const span = /^bytes=(\d+)-(\d+)$/.exec(range);
  if (!span) throw new Error(`unexpected Range ${range}`);
  return bytes.subarray(Number(span[1]), Number(span[2]) + 1);
}

/**
 * Answers HeadObject with `size` (the real length unless given) and GetObject with the
 * requested range of `bytes`.
 */
export function serveObject(
  s3Mock: S3Mock,
  bytes: Uint8Array,
  options: { size?: number; contentType?: string } = {},
): void {
  s3Mock.on(HeadObjectCommand).resolves({
    ContentLength: options.size ?? bytes.length,
    ...(options.contentType ? { ContentType: options.contentType } : {}),
  });
  s3Mock.on(GetObjectCommand).callsFake((input: { Range?: string }) => {
    const slice = sliceRange(bytes, input.Range);
    return { Body: body(slice), ContentLength: slice.length };
  });
}
