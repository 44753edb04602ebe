import { rm } from 'node:fs/promises';
import { decodePathPart, header, metaFromHeaders, receiveBody, receiveSmallBody } from './body';
import { type Ctx, emit, rejectLongKey, requireBucket, send } from './context';
import { S3Error } from './errors';
import type { NewObjectMeta } from './store';
import { doc, el, elements, text } from './xml';

// Object writes and deletes: PutObject, CopyObject, DeleteObject, DeleteObjects; each emits its event.

export async function deleteObjects(ctx: Ctx): Promise<void> {
  requireBucket(ctx);
  const body = await receiveSmallBody(ctx.req);
  const quiet = text(body, 'Quiet') === 'true';
  const keys = elements(body, 'Object').map((object) => text(object, 'Key'));
  if (keys.length === 0 || keys.length > 1000 || keys.some((k) => k === undefined || k === '')) {
    throw new S3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate.');
  }
  let results = '';
  for (const key of keys as string[]) {
    const existed = await ctx.env.store.deleteObject(ctx.bucket, key);
    if (existed) await emit(ctx, 'ObjectRemoved:Delete', key, ctx.env.sequencer.next());
    if (!quiet) results += `<Deleted>${el('Key', key)}</Deleted>`;
  }
  send(ctx, 200, doc('DeleteResult', results));
}

export async function putObject(ctx: Ctx): Promise<void> {
  requireBucket(ctx);
  rejectLongKey(ctx);
  const tmp = ctx.env.store.tempPath();
  const body = await receiveBody(ctx.req, ctx.query, tmp);
  if (header(ctx.req, 'if-none-match') === '*' && ctx.env.store.getObject(ctx.bucket, ctx.key)) {
    await rm(tmp, { force: true });
    throw new S3Error(
      'PreconditionFailed',
      412,
      'At least one of the pre-conditions you specified did not hold',
      {
        Condition: 'If-None-Match',
      },
    );
  }
  const seq = ctx.env.sequencer.next();
  const meta = await ctx.env.store.commitObject(ctx.bucket, ctx.key, tmp, {
    ...metaFromHeaders(ctx.req),
    size: body.size,
    etag: `"${body.md5Hex}"`,
    sequencer: seq,
  });
  await emit(ctx, 'ObjectCreated:Put', ctx.key, seq, meta);
  send(ctx, 200, undefined, { ETag: meta.etag, ...body.checksumHeaders });
}

export function parseCopySource(ctx: Ctx): { bucket: string; key: string } {
  const raw = header(ctx.req, 'x-amz-copy-source') ?? '';
  const withoutVersion = raw.split('?')[0] ?? '';
  const decoded = decodePathPart(withoutVersion.replace(/^\//, ''));
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) {
    throw new S3Error(
      'InvalidArgument',
      400,
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    );
  }
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

export async function copyObject(ctx: Ctx): Promise<void> {
  requireBucket(ctx);
  rejectLongKey(ctx);
  await receiveSmallBody(ctx.req);
  const source = parseCopySource(ctx);
  const sourceMeta = ctx.env.store.getObject(source.bucket, source.key);
  if (!ctx.env.store.hasBucket(source.bucket)) {
    throw new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', {
      BucketName: source.bucket,
    });
  }
  if (!sourceMeta)
    throw new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: source.key });
  const replace = (header(ctx.req, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase() === 'REPLACE';
  if (source.bucket === ctx.bucket && source.key === ctx.key && !replace) {
    throw new S3Error(
      'InvalidRequest',
      400,
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const { key: _k, dataFile: _d, lastModified: _l, sequencer: _s, ...kept } = sourceMeta;
  const tmp = await ctx.env.store.copyToTemp(source.bucket, sourceMeta);
  const seq = ctx.env.sequencer.next();
  const newMeta: NewObjectMeta = replace
    ? { ...metaFromHeaders(ctx.req), size: kept.size, etag: kept.etag, sequencer: seq }
    : { ...kept, sequencer: seq };
  const meta = await ctx.env.store.commitObject(ctx.bucket, ctx.key, tmp, newMeta);
  await emit(ctx, 'ObjectCreated:Copy', ctx.key, seq, meta);
  send(ctx, 200, doc('CopyObjectResult', el('LastModified', meta.lastModified) + el('ETag', meta.etag)));
}

export async function deleteObject(ctx: Ctx): Promise<void> {
  requireBucket(ctx);
  if (await ctx.env.store.deleteObject(ctx.bucket, ctx.key)) {
    await emit(ctx, 'ObjectRemoved:Delete', ctx.key, ctx.env.sequencer.next());
  }
  send(ctx, 204);
}
