/** The label counts reliability scenario (reliability/scenarios/counts.ts), part of `npm test`. */
import { expect, it } from 'vitest';
import { counts } from '../../reliability/scenarios/counts';
import { expectPassed, SCENARIO_TIMEOUT } from './expect-scenario';

it(
  'converges the label counts to the records through duplicate events, relabels and deletes',
  async () => {
    const result = await counts(10);
    expectPassed(result);
    // 10 uploads, 4 of them relabeled: one Rekognition call per object version, whatever the duplicates.
    expect(result.rekognitionCalls).toBe(14);
    expect(result.notes).toMatch(/^4 relabeled, 1 deleted; \d+ labels counted, matching the records/);
  },
  SCENARIO_TIMEOUT,
);
