/** The bad-input reliability scenario (reliability/scenarios/bad-input.ts), part of `npm test`. */
import { expect, it } from 'vitest';
import { badInput } from '../../reliability/scenarios/bad-input';
import { expectOneEventPerRecord, expectPassed, SCENARIO_TIMEOUT } from './expect-scenario';

it(
  'ends every kind of bad input in one precise final state, without Rekognition for invalid images',
  async () => {
    const result = await badInput();
    expectPassed(result);
    expect(result.inputs).toBeGreaterThanOrEqual(25);
    expect(result.rejected).toBeGreaterThanOrEqual(15);
    expectOneEventPerRecord(result);
  },
  SCENARIO_TIMEOUT,
);
