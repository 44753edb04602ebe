/**
 * The workflow's reads and writes of the labels table: the idempotency claim, the cached
 * Rekognition answer, the current record and the final version. What they decide is in
 * functions/core/labels-store.ts; every function takes its table (client and name) as an
 * argument: no environment, no module state.
 *
 * No transactions and no PartiQL (the local DynamoDB does not support them): the write order
 * carries the guarantees instead (see the core module).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type CachedDetection,
  claimed,
  claimRefused,
  isSuperseded,
  keepsDetection,
  type PreviousRecord,
  recordWrites,
  SUPERSEDED,
  type VersionRecord,
} from '../../core/labels-store';
import {
  IMAGE_SK,
  imagePk,
  labelSk,
  objectVersionOf,
  type VersionStatus,
  versionSk,
} from '../../core/labels-table';
import type { FinalRecord, WriteResult } from '../../core/outcome';
import type { ClaimResult, ObjectRef, Reprocess } from '../../core/workflow-schemas';
import { batchWrite } from './batch-write';
import type { TableRef } from './table-ref';
import { throttleAware } from './throttle';

const versionKey = (object: ObjectRef) => ({
  pk: imagePk(object.key),
  sk: versionSk(objectVersionOf(object)),
});

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
  const key = versionKey(object);
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
    return claimed(result.Attributes?.attempts);
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  // The condition failed: read why (ReturnValuesOnConditionCheckFailure would save this read,
  // but the local DynamoDB does not support it and the path is rare).
  const current = await throttleAware(() =>
    db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })),
  );
  return claimRefused(current.Item as VersionRecord | undefined, object);
}

/** The Rekognition answer recorded for this version by an earlier run, if any. */
export async function getCachedDetection(
  { db, tableName }: TableRef,
  object: ObjectRef,
): Promise<CachedDetection | undefined> {
  const result = await throttleAware(() =>
    db.send(
      new GetCommand({
        TableName: tableName,
        Key: versionKey(object),
        ProjectionExpression: 'detection',
        ConsistentRead: true,
      }),
    ),
  );
  return result.Item?.detection as CachedDetection | undefined;
}

/** Records the Rekognition answer on the version so no later run pays for it again. */
export async function cacheDetection(
  { db, tableName }: TableRef,
  object: ObjectRef,
  detection: CachedDetection,
): Promise<void> {
  await throttleAware(() =>
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: versionKey(object),
        UpdateExpression: 'SET detection = :detection',
        ExpressionAttributeValues: { ':detection': detection },
      }),
    ),
  );
}

/**
 * Makes `image` the key's current record with exactly its labels as label items (the stale
 * ones of the previous version deleted), unless a newer version is recorded already. The
 * label counts follow from the table's stream (core/label-counts.ts).
 */
export async function writeImageRecord(
  table: TableRef,
  image: FinalRecord,
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
  const previous = current.Item as PreviousRecord | undefined;
  if (isSuperseded(previous, image, object)) return SUPERSEDED;

  const { labels, stale, record } = recordWrites(image, object, previous);
  const writeRequests = await batchWrite(table, [
    ...labels.map((item) => ({ PutRequest: { Item: item } })),
    ...stale.map((name) => ({ DeleteRequest: { Key: { pk: imagePk(object.key), sk: labelSk(name) } } })),
    { PutRequest: { Item: record } },
  ]);
  return { superseded: false, labelsWritten: labels.length, staleLabelsDeleted: stale.length, writeRequests };
}

/**
 * Turns the version record final; whether it keeps its cached detection is keepsDetection's
 * rule (core/labels-store.ts).
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
        Key: versionKey(object),
        UpdateExpression: `SET ${set.join(', ')}${keepsDetection(status) ? '' : ' REMOVE detection'}`,
        ExpressionAttributeNames: { '#status': 'status', '#key': 'key' },
        ExpressionAttributeValues: values,
      }),
    ),
  );
}
