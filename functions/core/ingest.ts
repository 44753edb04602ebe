/**
 * From an SQS message carrying an S3 event notification to one synchronous Express workflow
 * run per object version. The run returns when the image has its final record, so the message
 * is deleted only then; a failed run fails the message, which SQS delivers again after its
 * visibility timeout and, after maxReceiveCount tries, moves to the DLQ.
 *
 * The run itself is a WorkflowStarter (StartSyncExecution in
 * functions/adapters/step-functions-runner.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import * as v from 'valibot';
import { MalformedEventError } from './errors';
import { objectVersionOf } from './labels-table';
import { RECONCILE_SOURCE, type ReconcileMessage } from './reconcile-message';
import { bareETag, decodeS3EventKey, versionIdOf } from './s3-key';
import { isSmokeKey } from './smoke';
import { int } from './validation';
import { type WorkflowInput, WorkflowInputSchema } from './workflow-schemas';

/** The fields we use from an S3 event record; anything else S3 adds is ignored. */
const S3EventRecordSchema = v.object({
  eventSource: v.literal('aws:s3'),
  eventName: v.string(),
  eventTime: v.string(),
  s3: v.object({
    bucket: v.object({ name: v.pipe(v.string(), v.minLength(3)) }),
    object: v.object({
      key: v.pipe(v.string(), v.minLength(1)),
      size: v.optional(v.pipe(int, v.minValue(0))),
      eTag: v.optional(v.string()),
      versionId: v.optional(v.string()),
      sequencer: v.optional(v.pipe(v.string(), v.regex(/^[0-9A-Fa-f]+$/))),
    }),
  }),
});
const S3EventSchema = v.object({ Records: v.pipe(v.array(S3EventRecordSchema), v.minLength(1)) });
/** S3 sends this once when the notification is configured. */
const S3TestEventSchema = v.object({ Event: v.literal('s3:TestEvent') });

/** What a reconcile pass enqueues (functions/core/reconcile-message.ts). */
const ReconcileMessageSchema = v.object({
  source: v.literal(RECONCILE_SOURCE),
  input: WorkflowInputSchema,
}) satisfies v.GenericSchema<unknown, ReconcileMessage>;

export type ObjectEvent =
  | { kind: 'created'; input: WorkflowInput }
  | { kind: 'removed'; removal: ObjectRemoval }
  | { kind: 'ignored'; eventName: string; key: string };

/** An S3 ObjectRemoved event: every record of the key goes (functions/core/image-removal.ts and its DynamoDB adapter). */
export interface ObjectRemoval {
  bucket: string;
  key: string;
  eventName: string;
  versionId?: string | undefined;
  sequencer?: string | undefined;
}

export type ParsedMessage = { kind: 'test-event' } | { kind: 'events'; events: ObjectEvent[] };

export function parseQueueMessage(body: string): ParsedMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MalformedEventError('The message body is not JSON.');
  }
  if (v.is(S3TestEventSchema, json)) return { kind: 'test-event' };
  if (typeof json === 'object' && json !== null && 'source' in json) {
    const reconcile = v.safeParse(ReconcileMessageSchema, json);
    if (!reconcile.success) {
      throw new MalformedEventError(`The reconcile message is not valid: ${v.summarize(reconcile.issues)}`);
    }
    const { input } = reconcile.output;
    if (isSmokeKey(input.object.key)) {
      return { kind: 'events', events: [{ kind: 'ignored', eventName: 'Reconcile', key: input.object.key }] };
    }
    return { kind: 'events', events: [{ kind: 'created', input }] };
  }
  const parsed = v.safeParse(S3EventSchema, json);
  if (!parsed.success) {
    throw new MalformedEventError(
      `The message is not an S3 event notification: ${v.summarize(parsed.issues)}`,
    );
  }
  return { kind: 'events', events: parsed.output.Records.map(toObjectEvent) };
}

function toObjectEvent(record: v.InferOutput<typeof S3EventRecordSchema>): ObjectEvent {
  let key: string;
  try {
    key = decodeS3EventKey(record.s3.object.key);
  } catch {
    throw new MalformedEventError(
      `The event's object key is not valid form encoding: ${record.s3.object.key}`,
    );
  }
  // Deployment smoke objects are checked by the hooks that write them (functions/core/smoke.ts).
  if (record.eventName.startsWith('ObjectRemoved:') && !isSmokeKey(key)) {
    const { versionId, sequencer } = record.s3.object;
    return {
      kind: 'removed',
      removal: {
        bucket: record.s3.bucket.name,
        key,
        eventName: record.eventName,
        ...versionIdOf(versionId),
        ...(sequencer ? { sequencer } : {}),
      },
    };
  }
  if (!record.eventName.startsWith('ObjectCreated:') || isSmokeKey(key)) {
    return { kind: 'ignored', eventName: record.eventName, key };
  }
  const { eTag, versionId, size, sequencer } = record.s3.object;
  if (!eTag) throw new MalformedEventError(`The ${record.eventName} event for "${key}" has no eTag.`);
  return {
    kind: 'created',
    input: {
      object: {
        bucket: record.s3.bucket.name,
        key,
        ...versionIdOf(versionId),
        eTag: bareETag(eTag),
        size: size ?? 0,
        // S3 documents sequencers for PUT and DELETE events; "0" orders any event without one first.
        sequencer: sequencer ?? '0',
      },
      eventTime: record.eventTime,
    },
  };
}

/** A name that finds the runs of one object version in the console: <hash>-<random>. */
export function executionName(input: WorkflowInput): string {
  const { bucket, key } = input.object;
  const hash = createHash('sha256')
    .update(`${bucket}/${key}#${objectVersionOf(input.object)}`)
    .digest('base64url')
    .slice(0, 32);
  return `${hash}-${randomUUID()}`;
}

export interface WorkflowRun {
  status: 'SUCCEEDED';
  executionArn: string;
  outcome?: string | undefined;
}

/** One synchronous run of the label-image workflow; rejects with WorkflowFailedError unless it succeeded. */
export type WorkflowStarter = (input: WorkflowInput) => Promise<WorkflowRun>;

/**
 * Runs each object version of a batch once: when S3 delivered the same event twice into one
 * batch, both messages share one run (and both succeed or fail with it).
 */
export function createBatchRunner(run: WorkflowStarter): WorkflowStarter {
  const runs = new Map<string, Promise<WorkflowRun>>();
  return (input: WorkflowInput): Promise<WorkflowRun> => {
    const id = `${input.object.bucket}/${input.object.key}#${objectVersionOf(input.object)}`;
    let pending = runs.get(id);
    if (!pending) {
      pending = run(input);
      runs.set(id, pending);
    }
    return pending;
  };
}
