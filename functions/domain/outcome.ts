/**
 * How a workflow run ends an object version: the IMAGE record is written, the outcome is
 * announced on the event bus, then the version turns final. In that order, a crash anywhere
 * leaves the version claimable, so the retry writes the same record and announces the same
 * event again (the same eventId: see image-events.ts); once the version is final, a repeated
 * event finds it ALREADY_DONE and announces nothing. A version superseded by a newer upload of
 * the same key changes no record and is not announced: the newer version's run announces its own.
 */

import { buildImageEvent, type ImageEventPublisher } from '../core/image-events';
import type { ImageItem } from '../core/labels-table';
import type { ObjectRef } from '../core/workflow-schemas';
import { finishVersion, type TableRef, type WriteResult, writeImageRecord } from './labels-store';

export interface OutcomeDeps {
  table: TableRef;
  events: ImageEventPublisher;
}

export type FinalRecord = Omit<ImageItem, 'pk' | 'sk' | 'labelNames'>;

export async function recordFinalOutcome(
  deps: OutcomeDeps,
  record: FinalRecord,
  object: ObjectRef,
  now: Date,
): Promise<WriteResult> {
  const result = await writeImageRecord(deps.table, record, object);
  if (!result.superseded) {
    await deps.events.publish([
      buildImageEvent({
        bucket: record.bucket,
        key: record.key,
        versionId: record.versionId ?? null,
        objectVersion: record.objectVersion,
        status: record.status,
        labels: record.labels,
        labelModelVersion: record.labelModelVersion ?? null,
        reason: record.reason ?? null,
        error: record.error ?? null,
        occurredAt: record.updatedAt,
      }),
    ]);
  }
  await finishVersion(deps.table, object, record.status, {
    now,
    error: record.error,
    superseded: result.superseded,
  });
  return result;
}
