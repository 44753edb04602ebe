/** The duplicates reliability scenario (reliability/scenarios/duplicates.ts), part of `npm test`. */
import { expect, it } from 'vitest';
import { duplicates } from '../../reliability/scenarios/duplicates';
import { expectOneEventPerRecord, expectPassed, SCENARIO_TIMEOUT } from './expect-scenario';

it(
  'calls Rekognition once per image when S3 delivers every event three times',
  async () => {
    const result = await duplicates(10);
    expectPassed(result);
    expect(result.rekognitionCalls).toBe(10);
    expectOneEventPerRecord(result);
  },
  SCENARIO_TIMEOUT,
);
