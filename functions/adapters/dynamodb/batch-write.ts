/** BatchWriteItem on the labels table, for writes that need no condition. */
import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { LabelStoreThrottledError } from '../../core/errors';
import type { TableRef } from './table-ref';
import { throttleAware } from './throttle';

export type WriteRequests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];

const MAX_BATCH = 25;
const UNPROCESSED_RETRIES = 5;

/** BatchWriteItem in chunks of 25, retrying unprocessed items with backoff and jitter. */
export async function batchWrite(
  { db, tableName }: TableRef,
  requests: WriteRequests,
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
