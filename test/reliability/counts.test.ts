/** The label counts reliability scenario (reliability/scenarios/counts.ts), part of `npm test`. */
import { expect, it } from 'vitest';
import { counts } from '../../reliability/scenarios/counts';
import { expectPassed, SCENARIO_TIMEOUT } from './expect-scenario';

it(
  'converges the label counts to the records through duplicate events, relabels and deletes',
  async () => {
    const result = await counts(15);
    expectPassed(result);
    // 15 uploads, 5 of them relabeled: one Rekognition call per object version, whatever the duplicates.
    expect(result.rekognitionCalls).toBe(20);
    // One deletion through the API, one through S3.
    expect(result.notes).toMatch(/^5 relabeled, 2 deleted; \d+ labels counted, matching the records/);
  },
  SCENARIO_TIMEOUT,
);
