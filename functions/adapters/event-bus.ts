/**
 * The EventBridge adapter for image events (functions/core/image-events.ts): PutEvents on the
 * stage's bus, ten entries per call, entries that EventBridge reports as failed retried with
 * jittered backoff. What still fails becomes an ImageEventsUnavailable error, which the state
 * machine retries like any other task error; a retry publishes the same eventId again.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { ImageEventsUnavailableError } from '../core/errors';
import type { ImageEvent, ImageEventPublisher } from '../core/image-events';

/** PutEvents takes at most 10 entries per call. */
const BATCH = 10;
/** Retries of entries EventBridge reports as failed (the SDK already retries whole calls). */
const ENTRY_RETRIES = 3;

export interface EventBusOptions {
  /** Backoff before retry n (1-based); full jitter by default. Tests pass () => 0. */
  backoffMs?: (retry: number) => number;
}

function entryOf(busName: string, event: ImageEvent): PutEventsRequestEntry {
  return {
    EventBusName: busName,
    Source: event.source,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    Resources: [`arn:aws:s3:::${event.detail.bucket}`],
  };
}

async function putBatch(
  client: EventBridgeClient,
  entries: PutEventsRequestEntry[],
  backoffMs: (retry: number) => number,
): Promise<void> {
  let pending = entries;
  for (let retry = 0; ; retry++) {
    if (retry > 0) await sleep(backoffMs(retry));
    let output: PutEventsCommandOutput;
    try {
      output = await client.send(new PutEventsCommand({ Entries: pending }));
    } catch (cause) {
      throw new ImageEventsUnavailableError(`PutEvents failed: ${String(cause)}`, { cause });
    }
    const results = output.Entries ?? [];
    const failed = pending.filter((_, index) => results[index]?.ErrorCode);
    if (failed.length === 0) return;
    if (retry >= ENTRY_RETRIES) {
      const first = results.find((result) => result.ErrorCode);
      throw new ImageEventsUnavailableError(
        `${failed.length} of ${entries.length} image events not accepted after ${ENTRY_RETRIES} retries: ` +
          `${first?.ErrorCode}: ${first?.ErrorMessage ?? ''}`,
      );
    }
    pending = failed;
  }
}

/**
 * A handler builds its publisher once, at module scope. `client` is the client itself for a
 * handler that publishes on most invocations, built at init as the SDK's other clients are, or a
 * function that builds it at the first publish, for a handler that publishes rarely (the API and
 * start-workflow, on deletions), which then creates no client at cold start.
 */
export function eventBusPublisher(
  client: EventBridgeClient | (() => EventBridgeClient),
  busName: string,
  options: EventBusOptions = {},
): ImageEventPublisher {
  const clientOf = typeof client === 'function' ? client : () => client;
  const backoffMs = options.backoffMs ?? ((retry) => Math.random() * Math.min(1000, 100 * 2 ** retry));
  return {
    async publish(events) {
      const entries = events.map((event) => entryOf(busName, event));
      for (let start = 0; start < entries.length; start += BATCH) {
        await putBatch(clientOf(), entries.slice(start, start + BATCH), backoffMs);
      }
    },
  };
}
