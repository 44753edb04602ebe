/**
 * S3 delivers each event three times, at once: every image still gets exactly one
 * Rekognition call and one stored result.
 */
import { photo } from '../../test/support/images';
import { Harness, type ScenarioResult, tally } from '../harness';

const PHOTOS = ['astronaut.png', 'coffee.png', 'chelsea.png', 'rocket.jpg', 'brick.png'];

export async function duplicates(images = 20): Promise<ScenarioResult> {
  let stored = 0;
  const harness = await Harness.start({
    faults: { duplicateEvents: 3 },
    // Counts the EMF metric the store step emits once per stored result.
    onLog: (_name, line) => {
      if (line.includes('"ImagesLabeled"') && line.includes('_aws')) stored++;
    },
  });
  try {
    const keys = Array.from(
      { length: images },
      (_, index) => `duplicates/${index}/${PHOTOS[index % PHOTOS.length]}`,
    );
    await Promise.all(
      keys.map((key, index) => harness.upload(key, photo(PHOTOS[index % PHOTOS.length] ?? 'coffee.png'))),
    );
    const records = await harness.waitForFinal(keys, 120_000);
    // Let the duplicate runs finish too before counting.
    await harness.drain(30_000);
    const calls = harness.rekognitionSuccesses();
    const problems: string[] = [];
    if (calls !== images)
      problems.push(`${calls} successful Rekognition calls for ${images} images (3 events each)`);
    if (stored !== images) problems.push(`${stored} stored results for ${images} images`);
    return tally('duplicate events (x3, concurrent)', records, {
      rekognitionCalls: calls,
      dlqMessages: await harness.deadLetterCount(),
      problems,
      events: await harness.events.collect(records, 30_000),
    });
  } finally {
    await harness.stop();
  }
}
