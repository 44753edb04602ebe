/**
 * Reconcile and backfill: for one object of the images bucket, decide whether it has the final
 * record it should have, and if not, put it back on the ingest queue. The work then flows through
 * the usual path (start-workflow, the label-image workflow), with the same claim, the same
 * retries and the same concurrency limits as an upload: a reconcile never calls Rekognition itself.
 *
 * Decision, from the object's current version (HeadObject) and its records:
 *
 *   in-progress  the version is held by a live run             nothing: that run finishes it
 *   missing      no IMAGE record (an S3 event was lost)        process the version
 *   stale        the IMAGE record is of another version        process the current version
 *   failed       the IMAGE record is FAILED                    process it again
 *   outdated     LABELED with another label model or other     relabel it (only when a target
 *                label settings than the caller's target       is given: `--relabel`)
 *   ok           anything else                                 nothing
 *
 * Safe to run twice. After a pass's messages are processed, every record is final, current
 * and on target, so a second pass enqueues nothing. A second pass that runs while the first's
 * messages still wait enqueues the same objects again, but the claim collapses the two
 * messages into one run: a new or FAILED version is claimed once and the other message finds it
 * done; a LABELED or REJECTED version is taken over only while its `attempts` is the number the
 * pass saw (`reprocess.ifAttempts`), so of two passes that saw the same state only one relabels.
 * The VERSION record is read before the IMAGE record, so a run that finishes between the two
 * reads is seen as done, never relabeled twice.
 *
 * The reads and the queue are behind ReconcileSources and ReconcileQueue
 * (functions/adapters/reconcile-sources.ts: S3 HeadObject, DynamoDB GetItem, SQS SendMessage).
 */

import { type ImageStatus, objectVersionOf, type VersionStatus } from './labels-table';
import { RECONCILE_SOURCE, type ReconcileMessage } from './reconcile-message';
import { bareETag, versionIdOf } from './s3-key';
import { isSmokeKey } from './smoke';
import type { Detection, ObjectRef, WorkflowInput } from './workflow-schemas';

export const RECONCILE_STATUSES = [
  'ok',
  'missing',
  'stale',
  'failed',
  'outdated',
  'in-progress',
  'skipped',
] as const;
export type ReconcileStatus = (typeof RECONCILE_STATUSES)[number];

/** What a relabel compares recorded detections with; an absent field is not compared. */
export interface RelabelTarget {
  labelModelVersion?: string | undefined;
  /** The label settings a detection would use now (functions/core/flags.ts labelSettingsFrom). */
  settings?: LabelSettingsTarget | undefined;
}

/** The label settings of a detection (functions/core/flags.ts labelSettingsFrom, minus its source). */
export interface LabelSettingsTarget {
  minConfidence: number;
  maxLabels: number;
  includeLabels?: string[] | undefined;
  excludeLabels?: string[] | undefined;
  includeCategories?: string[] | undefined;
  excludeCategories?: string[] | undefined;
}

/** The object as S3 has it now (HeadObject of the current version). */
export interface CurrentObject {
  bucket: string;
  key: string;
  eTag: string;
  versionId?: string | undefined;
  size: number;
}

/** The fields of the IMAGE record a decision reads. */
export interface ImageRecordView {
  status: ImageStatus;
  objectVersion: string;
  sequencer: string;
  labelModelVersion?: string | undefined;
  settings?: Partial<Detection['settings']> | undefined;
}

/** The fields of the current version's VERSION record a decision reads. */
export interface VersionRecordView {
  status: VersionStatus;
  attempts?: number | undefined;
  leaseUntil?: number | undefined;
}

export interface Decision {
  status: ReconcileStatus;
  /** Why, for the log and the summary. */
  detail: string;
  /** The workflow input to enqueue; absent for ok, in-progress and skipped. */
  input?: WorkflowInput | undefined;
}

/** The smallest sequencer of the same length that compares higher (S3 pads on the right). */
export function nextSequencer(sequencer: string): string {
  const digits = sequencer.toUpperCase().split('');
  for (let index = digits.length - 1; index >= 0; index--) {
    const value = Number.parseInt(digits[index] ?? '0', 16);
    if (value < 15) {
      digits[index] = (value + 1).toString(16).toUpperCase();
      return digits.join('');
    }
    digits[index] = '0';
  }
  // All F: a longer value compares higher once the shorter one is padded with zeros.
  return `${sequencer.toUpperCase()}1`;
}

const sorted = (values: readonly string[] | undefined) => [...(values ?? [])].sort();
const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

/** Which recorded label settings differ from the target's, by name (flags metadata ignored). */
export function settingsDifferences(
  recorded: Partial<Detection['settings']> | undefined,
  target: LabelSettingsTarget,
): string[] {
  const differences: string[] = [];
  if (recorded?.minConfidence !== target.minConfidence) differences.push('minConfidence');
  if (recorded?.maxLabels !== target.maxLabels) differences.push('maxLabels');
  for (const name of ['includeLabels', 'excludeLabels', 'includeCategories', 'excludeCategories'] as const) {
    if (!sameList(recorded?.[name], target[name])) differences.push(name);
  }
  return differences;
}

/**
 * The decision for one object, pure. `image` and `version` are the records as read (undefined
 * when absent); `version` is the record of the object's current version.
 */
export function decide(
  object: CurrentObject,
  image: ImageRecordView | undefined,
  version: VersionRecordView | undefined,
  options: { now: Date; target?: RelabelTarget | undefined },
): Decision {
  if (isSmokeKey(object.key)) return { status: 'skipped', detail: 'deployment smoke object' };
  const objectVersion = objectVersionOf(object);
  const nowEpoch = Math.floor(options.now.getTime() / 1000);
  if (version?.status === 'IN_PROGRESS' && (version.leaseUntil ?? 0) >= nowEpoch) {
    return { status: 'in-progress', detail: `version ${objectVersion} is held by a live run` };
  }
  // A version already final needs the guarded take-over; a new or FAILED one is claimed as usual.
  const reprocess =
    version && (version.status === 'LABELED' || version.status === 'REJECTED')
      ? { ifAttempts: version.attempts ?? 0 }
      : undefined;
  const input = (sequencer: string): WorkflowInput => {
    const ref: ObjectRef = {
      bucket: object.bucket,
      key: object.key,
      ...(object.versionId ? { versionId: object.versionId } : {}),
      eTag: object.eTag,
      size: object.size,
      sequencer,
    };
    return { object: ref, eventTime: options.now.toISOString(), ...(reprocess ? { reprocess } : {}) };
  };

  if (!image) {
    // No S3 sequencer here: '0' orders first, and the store compares sequencers only between
    // different versions, of which there is none on record.
    return { status: 'missing', detail: 'no image record', input: input('0') };
  }
  if (image.objectVersion !== objectVersion) {
    // The record is of another version, yet HeadObject says this one is current: it must win
    // the store's sequencer check, so it carries the next sequencer after the recorded one.
    return {
      status: 'stale',
      detail: `record is of version ${image.objectVersion}, the object is at ${objectVersion}`,
      input: input(nextSequencer(image.sequencer)),
    };
  }
  if (image.status === 'FAILED') {
    return { status: 'failed', detail: 'the last run failed', input: input(image.sequencer) };
  }
  if (image.status === 'LABELED' && options.target) {
    const { labelModelVersion, settings } = options.target;
    const reasons: string[] = [];
    if (labelModelVersion !== undefined && image.labelModelVersion !== labelModelVersion) {
      reasons.push(`labelModelVersion ${image.labelModelVersion ?? '(none)'} (target ${labelModelVersion})`);
    }
    if (settings) {
      const differences = settingsDifferences(image.settings, settings);
      if (differences.length > 0) reasons.push(`settings differ: ${differences.join(', ')}`);
    }
    if (reasons.length > 0) {
      return { status: 'outdated', detail: reasons.join('; '), input: input(image.sequencer) };
    }
  }
  return { status: 'ok', detail: image.status };
}

/** The message a reconcile puts on the ingest queue (parsed by functions/core/ingest.ts). */
export function reconcileMessage(input: WorkflowInput): ReconcileMessage {
  return { source: RECONCILE_SOURCE, input };
}

/** The fields of a HeadObject answer that make the current object. */
export interface HeadObjectFields {
  ETag?: string | undefined;
  VersionId?: string | undefined;
  ContentLength?: number | undefined;
}

/** HeadObject's answer as the current object, quotes stripped from the ETag. */
export function currentObjectOf(bucket: string, key: string, head: HeadObjectFields): CurrentObject {
  if (!head.ETag) throw new Error(`HeadObject of "${key}" returned no ETag`);
  return {
    bucket,
    key,
    eTag: bareETag(head.ETag),
    ...versionIdOf(head.VersionId),
    size: head.ContentLength ?? 0,
  };
}

/** What a reconcile reads; every record read is strongly consistent. */
export interface ReconcileSources {
  /** HeadObject of the key's current version; undefined when the object is gone. */
  headObject(bucket: string, key: string): Promise<CurrentObject | undefined>;
  /** The VERSION record of one version of the key; undefined when there is none. */
  versionRecord(key: string, objectVersion: string): Promise<VersionRecordView | undefined>;
  /** The key's IMAGE record; undefined when there is none. */
  imageRecord(key: string): Promise<ImageRecordView | undefined>;
}

export interface ReconcileQueue {
  /** Puts one message on the ingest queue. */
  enqueue(message: ReconcileMessage): Promise<void>;
}

export type ReconcileDeps = ReconcileSources & ReconcileQueue;

export interface ReconcileResult extends Decision {
  key: string;
  enqueued: boolean;
}

/**
 * Reconciles one object: HeadObject, the VERSION record, then the IMAGE record (in that order,
 * see the module comment), the decision, and the message unless `dryRun`.
 */
export async function reconcileObject(
  deps: ReconcileDeps,
  bucket: string,
  key: string,
  options: { now?: () => Date; target?: RelabelTarget | undefined; dryRun?: boolean } = {},
): Promise<ReconcileResult> {
  const now = options.now ?? (() => new Date());
  if (isSmokeKey(key)) return { key, status: 'skipped', detail: 'deployment smoke object', enqueued: false };
  const object = await deps.headObject(bucket, key);
  if (!object) return { key, status: 'skipped', detail: 'the object is gone', enqueued: false };
  const version = await deps.versionRecord(key, objectVersionOf(object));
  const image = await deps.imageRecord(key);
  const decision = decide(object, image, version, { now: now(), target: options.target });
  if (!decision.input || options.dryRun) return { key, ...decision, enqueued: false };
  await deps.enqueue(reconcileMessage(decision.input));
  return { key, ...decision, enqueued: true };
}

/** Counts per status and of messages sent: the summary a pass prints. */
export type ReconcileSummary = Record<ReconcileStatus, number> & { scanned: number; enqueued: number };

export function emptySummary(): ReconcileSummary {
  return {
    scanned: 0,
    ...(Object.fromEntries(RECONCILE_STATUSES.map((status) => [status, 0])) as Record<
      ReconcileStatus,
      number
    >),
    enqueued: 0,
  };
}

export function addToSummary(summary: ReconcileSummary, result: ReconcileResult): ReconcileSummary {
  summary.scanned++;
  summary[result.status]++;
  if (result.enqueued) summary.enqueued++;
  return summary;
}
