import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { header, metaFromHeaders, receiveBody, receiveSmallBody } from './body';
import { type Ctx, emit, rejectLongKey, requireBucket, send } from './context';
import { S3Error } from './errors';
import { doc, el, elements, text } from './xml';

// Multipart uploads: create, upload part, complete (concatenating the parts), abort.

const MIN_PART_SIZE = 5 * 1024 * 1024;

export async function requireUpload(ctx: Ctx) {
  const uploadId = ctx.query.get('uploadId') ?? '';
  const upload = await ctx.env.store.getUpload(uploadId);
  if (!upload || upload.bucket !== ctx.bucket || upload.key !== ctx.key) {
    throw new S3Error(
      'NoSuchUpload',
      404,
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      { UploadId: uploadId },
    );
  }
  return upload;
}

export async function createMultipartUpload(ctx: Ctx): Promise<void> {
  requireBucket(ctx);
  rejectLongKey(ctx);
  await receiveSmallBody(ctx.req);
  const upload = await ctx.env.store.createUpload({
    bucket: ctx.bucket,
    key: ctx.key,
    meta: metaFromHeaders(ctx.req),
  });
  const algorithm = header(ctx.req, 'x-amz-checksum-algorithm');
  send(
    ctx,
    200,
    doc(
      'InitiateMultipartUploadResult',
      el('Bucket', ctx.bucket) + el('Key', ctx.key) + el('UploadId', upload.uploadId),
    ),
    algorithm ? { 'x-amz-checksum-algorithm': algorithm } : {},
  );
}

export async function uploadPart(ctx: Ctx): Promise<void> {
  requireBucket(ctx);
  const upload = await requireUpload(ctx);
  const partNumber = Number(ctx.query.get('partNumber'));
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) {
    ctx.req.resume();
    throw new S3Error(
      'InvalidArgument',
      400,
      'Part number must be an integer between 1 and 10000, inclusive',
    );
  }
  if (header(ctx.req, 'x-amz-copy-source') !== undefined) {
    ctx.req.resume();
    throw new S3Error('NotImplemented', 501, 'UploadPartCopy is not implemented by the local S3 endpoint');
  }
  const tmp = ctx.env.store.tempPath();
  const body = await receiveBody(ctx.req, ctx.query, tmp);
  const etag = `"${body.md5Hex}"`;
  await ctx.env.store.putPart(upload.uploadId, { partNumber, etag, size: body.size }, tmp);
  send(ctx, 200, undefined, { ETag: etag, ...body.checksumHeaders });
}

export async function completeMultipartUpload(ctx: Ctx): Promise<void> {
  requireBucket(ctx);
  const xml = await receiveSmallBody(ctx.req);
  const upload = await requireUpload(ctx);
  await ctx.env.store.withLock(`upload:${upload.uploadId}`, async () => {
    if (!(await ctx.env.store.getUpload(upload.uploadId))) await requireUpload(ctx);
    const requested = elements(xml, 'Part').map((part) => ({
      partNumber: Number(text(part, 'PartNumber')),
      etag: (text(part, 'ETag') ?? '').replace(/"/g, ''),
    }));
    if (requested.length === 0) {
      throw new S3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate.');
    }
    const md5s: Buffer[] = [];
    const files: string[] = [];
    let size = 0;
    for (const [index, part] of requested.entries()) {
      if (index > 0 && part.partNumber <= (requested[index - 1]?.partNumber ?? 0)) {
        throw new S3Error('InvalidPartOrder', 400, 'The list of parts was not in ascending order.');
      }
      const stored = await ctx.env.store.getPart(upload.uploadId, part.partNumber);
      if (!stored || stored.etag.replace(/"/g, '') !== part.etag) {
        throw new S3Error(
          'InvalidPart',
          400,
          "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.",
          { PartNumber: String(part.partNumber), ETag: part.etag },
        );
      }
      if (index < requested.length - 1 && stored.size < MIN_PART_SIZE) {
        throw new S3Error(
          'EntityTooSmall',
          400,
          'Your proposed upload is smaller than the minimum allowed size',
          {
            ProposedSize: String(stored.size),
            MinSizeAllowed: String(MIN_PART_SIZE),
            PartNumber: String(part.partNumber),
          },
        );
      }
      md5s.push(Buffer.from(part.etag, 'hex'));
      files.push(ctx.env.store.partPath(upload.uploadId, part.partNumber));
      size += stored.size;
    }
    const tmp = ctx.env.store.tempPath();
    const out = createWriteStream(tmp, { flush: true });
    await pipeline(async function* () {
      for (const file of files) yield* createReadStream(file);
    }, out);
    const etag = `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${requested.length}"`;
    const seq = ctx.env.sequencer.next();
    const meta = await ctx.env.store.commitObject(ctx.bucket, ctx.key, tmp, {
      ...upload.meta,
      size,
      etag,
      sequencer: seq,
    });
    await ctx.env.store.deleteUpload(upload.uploadId);
    await emit(ctx, 'ObjectCreated:CompleteMultipartUpload', ctx.key, seq, meta);
    const host = header(ctx.req, 'host') ?? 'localhost';
    send(
      ctx,
      200,
      doc(
        'CompleteMultipartUploadResult',
        el('Location', `http://${host}/${ctx.bucket}/${encodeURIComponent(ctx.key).replace(/%2F/g, '/')}`) +
          el('Bucket', ctx.bucket) +
          el('Key', ctx.key) +
          el('ETag', meta.etag),
      ),
    );
  });
}

export async function abortMultipartUpload(ctx: Ctx): Promise<void> {
  requireBucket(ctx);
  const upload = await requireUpload(ctx);
  await ctx.env.store.withLock(`upload:${upload.uploadId}`, () =>
    ctx.env.store.deleteUpload(upload.uploadId),
  );
  send(ctx, 204);
}
