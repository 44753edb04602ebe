/**
 * The kill switch and the ingest throttle, applied where they are safe: on the SQS event source
 * mapping of the start-workflow function.
 *
 * Why not just fail the messages while processing is off? Every receive counts: after
 * maxReceiveCount (5) receives a message goes to the dead-letter queue, so a pause longer than
 * 5 × the visibility timeout (5 × 600 s = 50 min) would dead-letter every waiting upload.
 * Instead the apply-flags function (every minute, EventBridge) disables the event source mapping
 * while `processing` is off: Lambda stops polling, messages are not received at all, and they
 * wait for up to the queue's retention period (14 days) with their receive count untouched.
 * Turning the flag back on re-enables the mapping and the backlog is processed.
 *
 * In the gap before the mapping is disabled (at most one schedule period plus the flags cache),
 * start-workflow sees the flag itself and hands the batch back unprocessed (see `pausedBatch`):
 * those messages come back after the queue's visibility timeout (600 s), by when the mapping is
 * long disabled, so a pause costs a message at most one receive.
 *
 * The mapping itself is behind IngestMapping (functions/adapters/lambda-event-source-mapping.ts).
 */
import type { Flags } from './flags';

/** Every message of the batch reported as failed: none is deleted, none is processed. */
export function pausedBatch(records: readonly { messageId: string }[]): {
  batchItemFailures: { itemIdentifier: string }[];
} {
  return { batchItemFailures: records.map((record) => ({ itemIdentifier: record.messageId })) };
}

/** What the mapping reports: its state (Enabled, Disabling, Updating...) and its concurrency. */
export interface MappingView {
  state: string;
  maxConcurrency?: number | undefined;
}

/** The start-workflow function's SQS event source mapping. */
export interface IngestMapping {
  read(): Promise<MappingView>;
  update(change: { enabled: boolean; maxConcurrency: number }): Promise<void>;
}

export type IngestChange =
  | { action: 'unchanged'; enabled: boolean; maxConcurrency: number | undefined }
  | { action: 'skipped'; reason: string }
  | {
      action: 'updated';
      enabled: boolean;
      maxConcurrency: number;
      previous: { state: string; maxConcurrency?: number };
    };

/** States in which the mapping polls, or is about to. */
const ON = new Set(['Enabled', 'Enabling']);
/** States in which it does not, or is about to stop. */
const OFF = new Set(['Disabled', 'Disabling']);

/**
 * Brings the mapping in line with the flags: enabled iff `processing`, maximum concurrency from
 * the ingestThrottle flag or the stage's `defaultMaxConcurrency`. Idempotent; changes nothing on
 * safe defaults (AppConfig unreachable must not switch a paused pipeline back on).
 */
export async function applyIngestFlags(
  mapping: IngestMapping,
  flags: Flags,
  defaultMaxConcurrency: number,
): Promise<IngestChange> {
  if (flags.source === 'defaults')
    return { action: 'skipped', reason: 'flags unavailable: mapping left as it is' };
  const { state, maxConcurrency: current } = await mapping.read();
  if (!ON.has(state) && !OFF.has(state)) return { action: 'skipped', reason: `mapping is ${state}` };
  const enabled = flags.processing;
  const maxConcurrency = flags.maxConcurrency ?? defaultMaxConcurrency;
  if (ON.has(state) === enabled && current === maxConcurrency) {
    return { action: 'unchanged', enabled, maxConcurrency: current };
  }
  await mapping.update({ enabled, maxConcurrency });
  return {
    action: 'updated',
    enabled,
    maxConcurrency,
    previous: { state, ...(current !== undefined ? { maxConcurrency: current } : {}) },
  };
}
