import type { IncomingMessage, ServerResponse } from 'node:http';
import { accessKeyOf } from './body';
import type { CorsRule } from './cors';
import { S3Error } from './errors';
import { buildEventRecord, type S3EventName, type S3EventRecord, type Sequencer } from './events';
import type { FileStore, ObjectMeta } from './store';
import { doc, el } from './xml';

// The request context shared by every operation: responses, errors, existence checks, events.

/** What every operation shares: the store, the event sequencer and the service's settings. */
export interface S3Env {
  readonly store: FileStore;
  readonly sequencer: Sequencer;
  readonly region: string;
  readonly configurationId: string;
  readonly ownerId: string;
  readonly cors: Readonly<Record<string, readonly CorsRule[]>> | undefined;
  readonly onObjectEvent: ((record: S3EventRecord) => void | Promise<void>) | undefined;
  readonly logError: (message: string, error: unknown) => void;
}

/** One request: the service's env, the parsed bucket, key and query, the ids echoed back. */
export interface Ctx {
  env: S3Env;
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  bucket: string;
  key: string;
  query: URLSearchParams;
  requestId: string;
  hostId: string;
}

export async function emit(
  ctx: Ctx,
  eventName: S3EventName,
  key: string,
  seq: string,
  object?: { size: number; etag: string },
): Promise<void> {
  if (!ctx.env.onObjectEvent) return;
  const accessKey = accessKeyOf(ctx.req, ctx.query);
  const record = buildEventRecord({
    eventName,
    region: ctx.env.region,
    bucket: ctx.bucket,
    key,
    size: object?.size,
    eTag: object?.etag,
    sequencer: seq,
    sourceIp: (ctx.req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    requestId: ctx.requestId,
    hostId: ctx.hostId,
    principalId: accessKey ? `AWS:${accessKey}` : 'Anonymous',
    configurationId: ctx.env.configurationId,
  });
  try {
    await ctx.env.onObjectEvent(record);
  } catch (error) {
    ctx.env.logError(`[local-s3] onObjectEvent failed for ${eventName} s3://${ctx.bucket}/${key}:`, error);
  }
}

export function send(ctx: Ctx, status: number, body?: string, headers: Record<string, string> = {}): void {
  const { res } = ctx;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (body !== undefined) {
    res.setHeader('Content-Type', 'application/xml');
    res.setHeader('Content-Length', Buffer.byteLength(body));
  } else if (!res.hasHeader('Content-Length')) {
    res.setHeader('Content-Length', 0);
  }
  res.writeHead(status);
  res.end(ctx.method === 'HEAD' ? undefined : body);
}

export function sendError(ctx: Ctx, error: S3Error): void {
  const body = doc(
    'Error',
    el('Code', error.code) +
      el('Message', error.message) +
      Object.entries(error.extra)
        .map(([name, value]) => el(name, value))
        .join('') +
      el('RequestId', ctx.requestId) +
      el('HostId', ctx.hostId),
  ).replace(` xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`, '');
  if (ctx.method === 'HEAD') {
    ctx.res.setHeader('Content-Length', 0);
    ctx.res.writeHead(error.statusCode);
    ctx.res.end();
  } else {
    send(ctx, error.statusCode, body);
  }
}

export function requireBucket(ctx: Ctx): void {
  if (!ctx.env.store.hasBucket(ctx.bucket)) {
    throw new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', {
      BucketName: ctx.bucket,
    });
  }
}

export function requireObject(ctx: Ctx): ObjectMeta {
  requireBucket(ctx);
  const meta = ctx.env.store.getObject(ctx.bucket, ctx.key);
  if (!meta) throw new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: ctx.key });
  return meta;
}

export function rejectLongKey(ctx: Ctx): void {
  if (Buffer.byteLength(ctx.key) > 1024) {
    throw new S3Error('KeyTooLongError', 400, 'Your key is too long');
  }
}
