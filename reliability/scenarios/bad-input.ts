/**
 * Every kind of bad (and awkward) upload ends in exactly one precise final state; invalid
 * images never reach Rekognition; nothing is dead-lettered or lost.
 */
import { REJECTION_REASONS } from '../../functions/core/errors';
import { buildCorpus } from '../corpus';
import { Harness, type ScenarioResult, tally } from '../harness';

/** The validator's own reasons: an image rejected with one of these must not cost a Rekognition call. */
const VALIDATOR_REASONS = new Set<string>(
  REJECTION_REASONS.filter((reason) => reason !== 'OBJECT_MISSING' && reason !== 'REJECTED_BY_LABEL_SERVICE'),
);

export async function badInput(): Promise<ScenarioResult> {
  // A crash, an out-of-memory or a timeout shows as a REPORT line with a Status.
  const crashes: string[] = [];
  const harness = await Harness.start({
    onLog: (name, line) => {
      if (line.startsWith('REPORT ') && line.includes('Status:')) crashes.push(`${name}: ${line}`);
    },
  });
  try {
    const corpus = buildCorpus('bad-input');
    await Promise.all(corpus.map((entry) => harness.upload(entry.key, entry.body, entry.contentType)));
    const records = await harness.waitForFinal(
      corpus.map((entry) => entry.key),
      120_000,
    );
    const problems: string[] = [];
    let expectedCalls = 0;
    for (const entry of corpus) {
      const record = records.get(entry.key);
      if (!record) continue;
      if (!(record.status === 'REJECTED' && VALIDATOR_REASONS.has(record.reason ?? ''))) expectedCalls++;
      const { expected } = entry;
      const ok =
        expected.status === 'LABELED or REJECTED'
          ? record.status === 'LABELED' || (record.status === 'REJECTED' && Boolean(record.reason))
          : expected.status === 'LABELED'
            ? record.status === 'LABELED'
            : record.status === 'REJECTED' && record.reason === expected.reason;
      if (!ok) {
        problems.push(
          `${entry.kind}: expected ${JSON.stringify(expected)}, got ${record.status} ${record.reason ?? ''}`,
        );
      }
    }
    if (crashes.length > 0) problems.push(`${crashes.length} function crashes or timeouts: ${crashes[0]}`);
    const calls = harness.rekognitionCalls();
    if (calls !== expectedCalls) {
      problems.push(
        `${calls} Rekognition calls; expected ${expectedCalls} (one per image that passed validation)`,
      );
    }
    return tally('bad input corpus', records, {
      rekognitionCalls: calls,
      dlqMessages: await harness.deadLetterCount(),
      problems,
      events: await harness.events.collect(records, 30_000),
    });
  } finally {
    await harness.stop();
  }
}
