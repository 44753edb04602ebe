/** 500 uploads at once through the local cloud end with 500 final records. */
import { photo } from '../../test/support/images';
import { Harness, type ScenarioResult, tally } from '../harness';

const PHOTOS = ['astronaut.png', 'coffee.png', 'chelsea.png', 'rocket.jpg', 'brick.png', 'truncated.jpg'];

export async function burst(uploads = 500): Promise<ScenarioResult> {
  const harness = await Harness.start();
  try {
    const keys = Array.from(
      { length: uploads },
      (_, index) => `burst/${index}/${PHOTOS[index % PHOTOS.length]}`,
    );
    const started = performance.now();
    await Promise.all(
      keys.map((key, index) => harness.upload(key, photo(PHOTOS[index % PHOTOS.length] ?? 'coffee.png'))),
    );
    const uploaded = performance.now();
    const records = await harness.waitForFinal(keys, 8 * 60_000);
    const finished = performance.now();
    const rejected = [...records.values()].filter((record) => record?.status === 'REJECTED');
    const problems = rejected.some((record) => record?.reason !== 'CORRUPT_IMAGE')
      ? ['a valid photo was rejected']
      : [];
    return {
      ...tally(`burst (${uploads} uploads in parallel)`, records, {
        rekognitionCalls: harness.rekognitionSuccesses(),
        dlqMessages: await harness.deadLetterCount(),
        problems,
        events: await harness.events.collect(records, 30_000),
      }),
      notes: `uploads accepted in ${((uploaded - started) / 1000).toFixed(1)} s, all final after ${((finished - started) / 1000).toFixed(1)} s`,
    };
  } finally {
    await harness.stop();
  }
}
