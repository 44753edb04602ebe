/** The faults reliability scenario (reliability/scenarios/faults.ts), part of `npm test`. */
import { expect, it } from 'vitest';
import { faults } from '../../reliability/scenarios/faults';
import { expectOneEventPerRecord, expectPassed, SCENARIO_TIMEOUT } from './expect-scenario';

it(
  'labels every image despite throttling, errors and crashes, without a second Rekognition answer',
  async () => {
    const result = await faults(20);
    expectPassed(result);
    expect(result.labeled).toBe(20);
    expectOneEventPerRecord(result);
  },
  SCENARIO_TIMEOUT,
);
