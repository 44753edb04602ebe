/**
 * Reads and writes of the labels table. Every function takes its DynamoDB client and table
 * name as arguments: no environment, no module state.
 *
 * No transactions and no PartiQL (the local DynamoDB does not support them): the write order
 * carries the guarantees instead. An image's label items and its IMAGE record are written
 * first; the VERSION record turns final last, so a crash in between leaves the version
 * claimable again and the next run rewrites the same items (puts are idempotent).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '../adapters/dynamodb/table-ref';
import { ImageInProgressError, LabelStoreThrottledError } from '../core/errors';
import {
  IMAGE_SK,
  type ImageItem,
  type ImagesIndexAttributes,
  imagePk,
  imagesIndexAttributes,
  type LabelItem,
  labelItems,
  labelSk,
  objectVersionOf,
  type VersionStatus,
  versionSk,
} from '../core/labels-table';
import type { WriteResult } from '../core/outcome';
import { compareSequencers } from '../core/s3-key';
import type { ClaimResult, Detection, ObjectRef, Reprocess } from '../core/workflow-schemas';
import { reconcileLabelCounts } from './label-counts';

export type { TableRef } from '../adapters/dynamodb/table-ref';

const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/** Maps DynamoDB throttling (after the SDK's own retries) onto the error the ASL retries. */
async function throttleAware<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof Error && THROTTLING_ERRORS.has(error.name)) {
      throw new LabelStoreThrottledError(`DynamoDB throttled the labels table: ${error.message}`);
    }
    throw error;
  }
}

/**
 * Takes the idempotency claim on one object version with a conditional write. Succeeds when
 * the version was never seen, failed before, or its claim lease ran out (a crashed run).
 * A version already LABELED or REJECTED is reported ALREADY_DONE: Rekognition is not called
 * again and nothing is stored twice, unless a reconcile asks to reprocess it and its `attempts`
 * is still the one the reconcile saw. A live claim held by another run throws ImageInProgress.
 */
export async function claimVersion(
  { db, tableName }: TableRef,
  object: ObjectRef,
  options: { now: Date; leaseSeconds: number; reprocess?: Reprocess | undefined },
): Promise<ClaimResult> {
  const key = { pk: imagePk(object.key), sk: versionSk(objectVersionOf(object)) };
  const nowEpoch = Math.floor(options.now.getTime() / 1000);
  // A reconcile's reprocess also takes over a final version, but only the state it saw.
  const takeOver = options.reprocess
    ? {
        condition: ' OR ((#status = :labeled OR #status = :rejected) AND attempts = :ifAttempts)',
        values: {
          ':labeled': 'LABELED' satisfies VersionStatus,
          ':rejected': 'REJECTED' satisfies VersionStatus,
          ':ifAttempts': options.reprocess.ifAttempts,
        },
      }
    : { condition: '', values: {} };
  try {
    const result = await throttleAware(() =>
      db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression:
            'SET #status = :inProgress, leaseUntil = :leaseUntil, claimedAt = :now, #key = :objectKey, ' +
            'attempts = if_not_exists(attempts, :zero) + :one',
          ConditionExpression:
            'attribute_not_exists(pk) OR #status = :failed OR (#status = :inProgress AND leaseUntil < :nowEpoch)' +
            takeOver.condition,
          ExpressionAttributeNames: { '#status': 'status', '#key': 'key' },
          ExpressionAttributeValues: {
            ':inProgress': 'IN_PROGRESS' satisfies VersionStatus,
            ':failed': 'FAILED' satisfies VersionStatus,
            ':leaseUntil': nowEpoch + options.leaseSeconds,
            ':nowEpoch': nowEpoch,
            ':now': options.now.toISOString(),
            ':objectKey': object.key,
            ':zero': 0,
            ':one': 1,
            ...takeOver.values,
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return { status: 'CLAIMED', attempt: Number(result.Attributes?.attempts ?? 1) };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  // The condition failed: read why (ReturnValuesOnConditionCheckFailure would save this read,
  // but the local DynamoDB does not support it and the path is rare).
  const current = await throttleAware(() =>
    db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })),
  );
  const status = current.Item?.status as VersionStatus | undefined;
  if (status === 'LABELED' || status === 'REJECTED') {
    return { status: 'ALREADY_DONE', attempt: Number(current.Item?.attempts ?? 1) };
  }
  throw new ImageInProgressError(
    `Object version ${objectVersionOf(object)} of "${object.key}" is being processed by another run.`,
  );
}

/** The Rekognition answer recorded for this version by an earlier run, if any. */
export async function getCachedDetection(
  { db, tableName }: TableRef,
  object: ObjectRef,
): Promise<Omit<Detection, 'fromCache'> | undefined> {
  const result = await throttleAware(() =>
    db.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: imagePk(object.key), sk: versionSk(objectVersionOf(object)) },
        ProjectionExpression: 'detection',
        ConsistentRead: true,
      }),
    ),
  );
  return result.Item?.detection as Omit<Detection, 'fromCache'> | undefined;
}

/** Records the Rekognition answer on the version so no later run pays for it again. */
export async function cacheDetection(
  { db, tableName }: TableRef,
  object: ObjectRef,
  detection: Omit<Detection, 'fromCache'>,
): Promise<void> {
  await throttleAware(() =>
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: imagePk(object.key), sk: versionSk(objectVersionOf(object)) },
        UpdateExpression: 'SET detection = :detection',
        ExpressionAttributeValues: { ':detection': detection },
      }),
    ),
  );
}

export type { WriteResult } from '../core/outcome';

/**
 * Makes `image` the key's current record with exactly `labels` as its label items: new ones
 * are put, those of the previous version that are not in the new set are deleted, so a
 * relabeled image leaves no stale entries. The record carries its images index entry (newest
 * first). An older version (by S3 sequencer) never overwrites a newer one.
 */
export async function writeImageRecord(
  table: TableRef,
  image: Omit<ImageItem, 'pk' | 'sk' | 'labelNames'>,
  object: ObjectRef,
): Promise<WriteResult> {
  const { db, tableName } = table;
  const current = await throttleAware(() =>
    db.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: imagePk(object.key), sk: IMAGE_SK },
        ConsistentRead: true,
        ProjectionExpression: 'sequencer, objectVersion, labelNames',
      }),
    ),
  );
  const previous = current.Item as Pick<ImageItem, 'sequencer' | 'objectVersion' | 'labelNames'> | undefined;
  if (
    previous &&
    previous.objectVersion !== image.objectVersion &&
    compareSequencers(previous.sequencer, object.sequencer) > 0
  ) {
    return { superseded: true, labelsWritten: 0, staleLabelsDeleted: 0, writeRequests: 0 };
  }

  const items: LabelItem[] = labelItems(object, image.labels);
  const newNames = new Set(image.labels.map((label) => label.name));
  const stale = (previous?.labelNames ?? []).filter((name) => !newNames.has(name));
  const record: ImageItem & ImagesIndexAttributes = {
    ...image,
    pk: imagePk(object.key),
    sk: IMAGE_SK,
    labelNames: [...newNames],
    ...imagesIndexAttributes(image),
  };

  const requests: NonNullable<BatchWriteCommandInput['RequestItems']>[string] = [
    ...items.map((item) => ({ PutRequest: { Item: item } })),
    ...stale.map((name) => ({ DeleteRequest: { Key: { pk: imagePk(object.key), sk: labelSk(name) } } })),
    { PutRequest: { Item: record } },
  ];
  const writeRequests = await batchWrite(table, requests);
  // Before the version turns final, so a crash here is repaired by the retry (label-counts.ts).
  await throttleAware(() => reconcileLabelCounts(table, object.key));
  return { superseded: false, labelsWritten: items.length, staleLabelsDeleted: stale.length, writeRequests };
}

/**
 * Turns the version record final. LABELED and REJECTED drop the cached detection (it lives on
 * in the IMAGE record); FAILED keeps it, so the retry that follows does not call Rekognition.
 */
export async function finishVersion(
  { db, tableName }: TableRef,
  object: ObjectRef,
  status: Exclude<VersionStatus, 'IN_PROGRESS'>,
  details: { now: Date; error?: { name: string; message: string } | undefined; superseded?: boolean },
): Promise<void> {
  const set = ['#status = :status', 'finishedAt = :now', '#key = :objectKey', 'leaseUntil = :zero'];
  const values: Record<string, unknown> = {
    ':status': status,
    ':now': details.now.toISOString(),
    ':objectKey': object.key,
    ':zero': 0,
  };
  if (details.error) {
    set.push('lastError = :error');
    values[':error'] = details.error;
  }
  if (details.superseded) {
    set.push('superseded = :superseded');
    values[':superseded'] = true;
  }
  await throttleAware(() =>
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: imagePk(object.key), sk: versionSk(objectVersionOf(object)) },
        UpdateExpression: `SET ${set.join(', ')}${status === 'FAILED' ? '' : ' REMOVE detection'}`,
        ExpressionAttributeNames: { '#status': 'status', '#key': 'key' },
        ExpressionAttributeValues: values,
      }),
    ),
  );
}

const MAX_BATCH = 25;
const UNPROCESSED_RETRIES = 5;

/** BatchWriteItem in chunks of 25, retrying unprocessed items with backoff and jitter. */
export async function batchWrite(
  { db, tableName }: TableRef,
  requests: NonNullable<BatchWriteCommandInput['RequestItems']>[string],
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<number> {
  let calls = 0;
  for (let start = 0; start < requests.length; start += MAX_BATCH) {
    let pending = requests.slice(start, start + MAX_BATCH);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) {
        throw new LabelStoreThrottledError(
          `${pending.length} label writes stayed unprocessed after ${UNPROCESSED_RETRIES} retries.`,
        );
      }
      if (attempt > 0) await sleep(Math.random() * Math.min(1000, 50 * 2 ** attempt));
      const batch = pending;
      const result = await throttleAware(() =>
        db.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch } })),
      );
      calls++;
      pending = result.UnprocessedItems?.[tableName] ?? [];
    }
  }
  return calls;
}
