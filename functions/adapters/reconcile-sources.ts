/**
 * The ReconcileSources and ReconcileQueue of functions/core/reconcile.ts: HeadObject on the
 * images bucket, the records on the labels table (dynamodb/reconcile-records.ts) and the ingest
 * queue. Used by the reconcile-object function and by `npm run reconcile` with their own clients.
 */
import { HeadObjectCommand, NotFound, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { currentObjectOf, type ReconcileDeps, type ReconcileSources } from '../core/reconcile';
import { reconcileRecords } from './dynamodb/reconcile-records';
import type { TableRef } from './dynamodb/table-ref';

/** HeadObject of the current version; a key that is gone (NotFound) is undefined. */
export function s3HeadObject(s3: S3Client): ReconcileSources['headObject'] {
  return async (bucket, key) => {
    try {
      return currentObjectOf(bucket, key, await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
    } catch (error) {
      if (error instanceof NotFound) return undefined;
      throw error;
    }
  };
}

export function reconcileDeps(clients: {
  s3: S3Client;
  sqs: SQSClient;
  table: TableRef;
  queueUrl: string;
}): ReconcileDeps {
  const { sqs, queueUrl } = clients;
  return {
    headObject: s3HeadObject(clients.s3),
    ...reconcileRecords(clients.table),
    enqueue: async (message) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
    },
  };
}
