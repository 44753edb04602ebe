import { header } from './body';
import { createBucket, deleteBucket, listBuckets } from './buckets';
import { type Ctx, requireBucket, send } from './context';
import { corsHeaders, matchingRule, requestedHeaders } from './cors';
import { S3Error } from './errors';
import { getObject } from './get-object';
import { listObjectsV1, listObjectsV2 } from './listing';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  uploadPart,
} from './multipart';
import { copyObject, deleteObject, deleteObjects, putObject } from './objects';
import { doc, escapeXml } from './xml';

// Routing a request to its operation by method, bucket, key and sub-resource; CORS preflights.

/** Sub-resources this endpoint does not implement: answered with 501 NotImplemented. */
const UNSUPPORTED_SUBRESOURCES = [
  'acl',
  'tagging',
  'policy',
  'cors',
  'lifecycle',
  'notification',
  'website',
  'encryption',
  'replication',
  'logging',
  'versions',
  'retention',
  'legal-hold',
  'object-lock',
  'restore',
  'select',
  'torrent',
  'attributes',
  'accelerate',
  'analytics',
  'inventory',
  'metrics',
  'ownershipControls',
  'publicAccessBlock',
  'requestPayment',
  'intelligent-tiering',
];

/** OPTIONS: a CORS preflight, answered from the bucket's rules (403 when none allows it). */
export function preflight(ctx: Ctx): void {
  const origin = header(ctx.req, 'origin');
  const method = header(ctx.req, 'access-control-request-method');
  if (!origin)
    throw new S3Error('BadRequest', 400, 'Insufficient information. Origin request header needed.');
  if (!method) throw new S3Error('BadRequest', 400, 'Invalid Access-Control-Request-Method: null');
  requireBucket(ctx);
  const rules = ctx.env.cors?.[ctx.bucket] ?? [];
  const forbidden = { Method: method, ResourceType: ctx.key ? 'OBJECT' : 'BUCKET' };
  if (rules.length === 0) {
    throw new S3Error(
      'AccessForbidden',
      403,
      'CORSResponse: CORS is not enabled for this bucket.',
      forbidden,
    );
  }
  const request = {
    origin,
    method,
    headers: requestedHeaders(header(ctx.req, 'access-control-request-headers')),
  };
  const rule = matchingRule(rules, request);
  if (!rule) {
    throw new S3Error(
      'AccessForbidden',
      403,
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      forbidden,
    );
  }
  send(ctx, 200, undefined, corsHeaders(rule, request, true));
}

/** An actual request from an origin a rule allows for its method gets the CORS headers. */
export function addCorsHeaders(ctx: Ctx): void {
  const origin = header(ctx.req, 'origin');
  const rules = ctx.env.cors?.[ctx.bucket];
  if (!origin || !rules) return;
  const request = { origin, method: ctx.method };
  const rule = matchingRule(rules, request);
  if (rule)
    for (const [name, value] of Object.entries(corsHeaders(rule, request, false)))
      ctx.res.setHeader(name, value);
}

// ---------------------------------------------------------------- routing

export async function route(ctx: Ctx): Promise<void> {
  const { method, query } = ctx;
  const unsupported = UNSUPPORTED_SUBRESOURCES.find((name) => query.has(name));
  if (unsupported) {
    throw new S3Error(
      'NotImplemented',
      501,
      `The ?${unsupported} sub-resource is not implemented by the local S3 endpoint`,
    );
  }
  if (ctx.bucket === '') {
    if (method === 'GET') return listBuckets(ctx);
    throw new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.');
  }
  if (ctx.key === '') {
    if (method === 'PUT') return createBucket(ctx);
    if (method === 'HEAD') {
      requireBucket(ctx);
      return send(ctx, 200, undefined, { 'x-amz-bucket-region': ctx.env.region });
    }
    if (method === 'DELETE') return deleteBucket(ctx);
    if (method === 'POST' && query.has('delete')) return deleteObjects(ctx);
    if (method === 'GET') {
      if (query.has('location')) {
        requireBucket(ctx);
        return send(
          ctx,
          200,
          doc('LocationConstraint', ctx.env.region === 'us-east-1' ? '' : escapeXml(ctx.env.region)),
        );
      }
      if (query.has('versioning')) {
        requireBucket(ctx);
        return send(ctx, 200, doc('VersioningConfiguration', ''));
      }
      if (query.has('uploads')) {
        throw new S3Error(
          'NotImplemented',
          501,
          'ListMultipartUploads is not implemented by the local S3 endpoint',
        );
      }
      if (query.get('list-type') === '2') return listObjectsV2(ctx);
      return listObjectsV1(ctx);
    }
    throw new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.');
  }
  if (method === 'PUT') {
    if (query.has('uploadId') || query.has('partNumber')) return uploadPart(ctx);
    if (header(ctx.req, 'x-amz-copy-source') !== undefined) return copyObject(ctx);
    return putObject(ctx);
  }
  if (method === 'GET' || method === 'HEAD') {
    if (query.has('uploadId'))
      throw new S3Error('NotImplemented', 501, 'ListParts is not implemented by the local S3 endpoint');
    return getObject(ctx);
  }
  if (method === 'DELETE') {
    if (query.has('uploadId')) return abortMultipartUpload(ctx);
    return deleteObject(ctx);
  }
  if (method === 'POST') {
    if (query.has('uploads')) return createMultipartUpload(ctx);
    if (query.has('uploadId')) return completeMultipartUpload(ctx);
  }
  throw new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.');
}
