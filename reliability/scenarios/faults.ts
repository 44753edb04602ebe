/**
 * Faults everywhere at once: Rekognition throttles 30% of calls and fails 5% with internal
 * errors, DynamoDB throttles 20% of writes, detect-labels dies right after Rekognition
 * answered 10% of the time. Every image still ends LABELED, Rekognition answers at most once
 * per object version, and the functions' metrics count the retries.
 */
import { photo } from '../../test/support/images';
import { Harness, type ScenarioResult, tally } from '../harness';

const PHOTOS = ['astronaut.png', 'coffee.png', 'chelsea.png', 'rocket.jpg'];

export async function faults(images = 30): Promise<ScenarioResult> {
  let throttleMetrics = 0;
  const harness = await Harness.start({
    // The first detection always crashes, so every run proves the crash path at least once.
    faults: { dynamoWriteThrottleRate: 0.2, crashAfterRekognitionRate: 0.1, crashAfterRekognitionNext: 1 },
    // A failed run returns its message after the visibility timeout: shortened so the scenario
    // sees the redelivery within its time budget.
    visibilityTimeoutSeconds: 5,
    onLog: (_name, line) => {
      const match = /"RekognitionThrottles":(\d+)/.exec(line);
      if (match && line.includes('_aws')) throttleMetrics += Number(match[1]);
    },
  });
  harness.cloud.rekognition.faults.set({ throttleRate: 0.3, internalErrorRate: 0.05 });
  try {
    const keys = Array.from(
      { length: images },
      (_, index) => `faults/${index}/${PHOTOS[index % PHOTOS.length]}`,
    );
    await Promise.all(
      keys.map((key, index) => harness.upload(key, photo(PHOTOS[index % PHOTOS.length] ?? 'coffee.png'))),
    );
    // Wait for LABELED specifically: a run that exhausted its retries records FAILED and the
    // queue redelivers it.
    const deadline = Date.now() + 240_000;
    let records = await harness.waitForFinal(keys, 240_000);
    while ([...records.values()].some((record) => record?.status !== 'LABELED') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      records = await harness.waitForFinal(keys, 1_000);
    }
    await harness.drain(30_000);
    const stats = harness.cloud.rekognition.stats();
    const injected = harness.cloud.faults.stats();
    const successes = stats.byOutcome.Success ?? 0;
    const throttled = stats.byOutcome.ThrottlingException ?? 0;
    const problems: string[] = [];
    const notLabeled = [...records].filter(([, record]) => record?.status !== 'LABELED');
    if (notLabeled.length > 0) problems.push(`${notLabeled.length} images did not end LABELED`);
    if (successes !== images) problems.push(`${successes} successful Rekognition calls for ${images} images`);
    if (throttleMetrics !== throttled) {
      problems.push(
        `the RekognitionThrottles metric counted ${throttleMetrics}, the endpoint throttled ${throttled}`,
      );
    }
    if (injected.throttledDynamoWrites === 0)
      problems.push('no DynamoDB write was throttled: the fault is not wired');
    if (injected.crashesInjected === 0) problems.push('no crash was injected: the fault is not wired');
    const result = tally(
      'faults (Rekognition 30% throttle + 5% errors, DynamoDB 20% throttle, 10% crash)',
      records,
      {
        rekognitionCalls: stats.calls,
        dlqMessages: await harness.deadLetterCount(),
        problems,
        events: await harness.events.collect(records, 30_000),
      },
    );
    return {
      ...result,
      notes: `${throttled} throttled and ${stats.byOutcome.InternalServerError ?? 0} failed Rekognition calls, ${injected.throttledDynamoWrites} throttled writes, ${injected.crashesInjected} crashes`,
    };
  } finally {
    await harness.stop();
  }
}
