import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { decodePathPart } from './body';
import { BUCKET_NAME } from './buckets';
import { type Ctx, type S3Env, sendError } from './context';
import type { CorsRule } from './cors';
import { S3Error } from './errors';
import { type S3EventRecord, Sequencer } from './events';
import { addCorsHeaders, preflight, route } from './router';
import { FileStore } from './store';

export { S3Error } from './errors';

export interface S3ServiceOptions {
  /** Directory holding buckets, objects and multipart uploads; reused across restarts. */
  dataDir: string;
  /** Buckets created at start if absent. */
  buckets?: string[];
  /** Called once per object change, after the change is durable; the response waits for it. */
  onObjectEvent?: (record: S3EventRecord) => void | Promise<void>;
  /** Region reported in events and GetBucketLocation. Default `us-east-1`. */
  region?: string;
  /** `s3.configurationId` of event records. Default `local-s3-notifications`. */
  configurationId?: string;
  /** Canonical owner id of the buckets. */
  ownerId?: string;
  /** Logger for errors thrown by onObjectEvent and internal errors. Default console.error. */
  logError?: (message: string, error: unknown) => void;
  /** Each bucket's CORS rules (its CORSConfiguration); a bucket without any answers no preflight. */
  cors?: Record<string, readonly CorsRule[]>;
}

export interface S3Service {
  handler: RequestListener;
  close(): Promise<void>;
  /** The bytes of an object (versionId other than undefined/'null' is NoSuchVersion: no versioning). */
  readObject(bucket: string, key: string, versionId?: string): Promise<Uint8Array>;
}

export async function createS3Service(options: S3ServiceOptions): Promise<S3Service> {
  const env = await openEnv(options);
  const { logError, store } = env;
  const inFlight = new Set<Promise<void>>();
  const state = { closed: false };
  return {
    handler(req, res) {
      const task = handle(env, state, req, res).catch((error: unknown) =>
        logError('[local-s3] unhandled error:', error),
      );
      inFlight.add(task);
      task.finally(() => inFlight.delete(task));
    },
    async close() {
      state.closed = true;
      await Promise.allSettled([...inFlight]);
    },
    async readObject(bucket, key, versionId) {
      if (!store.hasBucket(bucket)) {
        throw new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });
      }
      const meta = store.getObject(bucket, key);
      if (!meta) throw new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });
      if (versionId !== undefined && versionId !== 'null') {
        throw new S3Error('NoSuchVersion', 404, 'The specified version does not exist.', {
          Key: key,
          VersionId: versionId,
        });
      }
      return store.readAll(bucket, meta);
    },
  };
}

/** Opens the store under dataDir (creating the configured buckets) and settles the defaults. */
async function openEnv(options: S3ServiceOptions): Promise<S3Env> {
  const store = new FileStore(options.dataDir);
  await mkdir(options.dataDir, { recursive: true });
  const sequencer = new Sequencer();
  for (const seq of await store.init()) sequencer.observe(seq);
  for (const bucket of options.buckets ?? []) {
    if (!BUCKET_NAME.test(bucket)) throw new Error(`invalid bucket name: ${bucket}`);
    await store.createBucket(bucket);
  }
  return {
    store,
    sequencer,
    region: options.region ?? 'us-east-1',
    configurationId: options.configurationId ?? 'local-s3-notifications',
    ownerId: options.ownerId ?? '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
    cors: options.cors,
    onObjectEvent: options.onObjectEvent,
    logError: options.logError ?? ((message: string, error: unknown) => console.error(message, error)),
  };
}

/** Splits the raw URL by hand: WHATWG URL parsing would resolve `..` and `%2E%2E` in keys. */
function splitUrl(url: string | undefined): { path: string; query: URLSearchParams } {
  let raw = url ?? '/';
  const absolute = /^[a-z]+:\/\/[^/]*/i.exec(raw);
  if (absolute) raw = raw.slice(absolute[0].length) || '/';
  const q = raw.indexOf('?');
  return {
    path: q < 0 ? raw : raw.slice(0, q),
    query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)),
  };
}

async function handle(
  env: S3Env,
  state: { readonly closed: boolean },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const hostId = randomBytes(32).toString('base64');
  res.setHeader('x-amz-request-id', requestId);
  res.setHeader('x-amz-id-2', hostId);
  res.setHeader('Server', 'AmazonS3');
  const { path, query } = splitUrl(req.url);
  const slash = path.indexOf('/', 1);
  const ctx: Ctx = {
    env,
    req,
    res,
    method: (req.method ?? 'GET').toUpperCase(),
    bucket: '',
    key: '',
    query,
    requestId,
    hostId,
  };
  try {
    ctx.bucket = decodePathPart(slash < 0 ? path.slice(1) : path.slice(1, slash));
    ctx.key = slash < 0 ? '' : decodePathPart(path.slice(slash + 1));
    if (state.closed) throw new S3Error('ServiceUnavailable', 503, 'The local S3 endpoint is shutting down.');
    if (ctx.method === 'OPTIONS') return preflight(ctx);
    addCorsHeaders(ctx);
    await route(ctx);
  } catch (error) {
    if (!(error instanceof S3Error)) env.logError(`[local-s3] ${ctx.method} ${req.url} failed:`, error);
    if (!req.complete) req.resume();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(ctx, error instanceof S3Error ? error : new S3Error('InternalError', 500, String(error)));
  }
}
