import { receiveSmallBody } from './body';
import { type Ctx, requireBucket, send } from './context';
import { S3Error } from './errors';
import { doc, el } from './xml';

// Service and bucket operations: ListBuckets, CreateBucket, DeleteBucket.

export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function listBuckets(ctx: Ctx): void {
  const buckets = ctx.env.store
    .listBuckets()
    .map((b) => `<Bucket>${el('Name', b.name)}${el('CreationDate', b.creationDate)}</Bucket>`)
    .join('');
  send(
    ctx,
    200,
    doc(
      'ListAllMyBucketsResult',
      `<Owner>${el('ID', ctx.env.ownerId)}${el('DisplayName', 'local')}</Owner><Buckets>${buckets}</Buckets>`,
    ),
  );
}

export async function createBucket(ctx: Ctx): Promise<void> {
  await receiveSmallBody(ctx.req);
  if (!BUCKET_NAME.test(ctx.bucket)) {
    throw new S3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', {
      BucketName: ctx.bucket,
    });
  }
  if (!(await ctx.env.store.createBucket(ctx.bucket))) {
    throw new S3Error(
      'BucketAlreadyOwnedByYou',
      409,
      'Your previous request to create the named bucket succeeded and you already own it.',
      { BucketName: ctx.bucket },
    );
  }
  send(ctx, 200, undefined, { Location: `/${ctx.bucket}` });
}

export async function deleteBucket(ctx: Ctx): Promise<void> {
  const result = await ctx.env.store.deleteBucket(ctx.bucket);
  if (result === 'missing') requireBucket(ctx);
  if (result === 'not-empty') {
    throw new S3Error('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty', {
      BucketName: ctx.bucket,
    });
  }
  send(ctx, 204);
}
