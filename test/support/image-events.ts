/** An in-memory ImageEventPublisher: the events a test's code published, in order. */
import type { ImageEvent, ImageEventPublisher } from '../../functions/core/image-events';

export interface RecordingPublisher extends ImageEventPublisher {
  readonly events: ImageEvent[];
}

export function recordingPublisher(): RecordingPublisher {
  const events: ImageEvent[] = [];
  return {
    events,
    async publish(batch) {
      events.push(...batch);
    },
  };
}
