/**
 * How a workflow run ends an object version: the IMAGE record is written, the outcome is
 * announced on the event bus, then the version turns final. In that order, a crash anywhere
 * leaves the version claimable, so the retry writes the same record and announces the same
 * event again (the same eventId: see image-events.ts); once the version is final, a repeated
 * event finds it ALREADY_DONE and announces nothing. A version superseded by a newer upload of
 * the same key changes no record and is not announced: the newer version's run announces its own.
 *
 * The writes are behind OutcomeStore (functions/adapters/dynamodb/outcome-store.ts on the
 * labels table).
 */

import { buildImageEvent, type ImageEventPublisher } from './image-events';
import type { ImageItem, VersionStatus } from './labels-table';
import type { ObjectRef } from './workflow-schemas';

export type FinalRecord = Omit<ImageItem, 'pk' | 'sk' | 'labelNames'>;

export interface WriteResult {
  /** A newer version of the same key is already recorded: this one changed nothing. */
  superseded: boolean;
  labelsWritten: number;
  staleLabelsDeleted: number;
  writeRequests: number;
}

export interface OutcomeStore {
  /** Makes `record` the key's current record, unless a newer version is recorded already. */
  writeImageRecord(record: FinalRecord, object: ObjectRef): Promise<WriteResult>;
  /** Turns the version final, so a repeated event finds it done. */
  finishVersion(
    object: ObjectRef,
    status: Exclude<VersionStatus, 'IN_PROGRESS'>,
    details: { now: Date; error?: { name: string; message: string } | undefined; superseded?: boolean },
  ): Promise<void>;
}

export interface OutcomeDeps {
  store: OutcomeStore;
  events: ImageEventPublisher;
}

export async function recordFinalOutcome(
  deps: OutcomeDeps,
  record: FinalRecord,
  object: ObjectRef,
  now: Date,
): Promise<WriteResult> {
  const result = await deps.store.writeImageRecord(record, object);
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
  await deps.store.finishVersion(object, record.status, {
    now,
    error: record.error,
    superseded: result.superseded,
  });
  return result;
}
