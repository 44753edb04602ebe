/** The API fuzz reliability scenario (reliability/scenarios/api-fuzz.ts), part of `npm test`. */
import { expect, it } from 'vitest';
import { apiFuzz } from '../../reliability/scenarios/api-fuzz';
import { expectPassed, SCENARIO_TIMEOUT } from './expect-scenario';

it(
  'answers 1,000 malformed API requests without a 5xx or a leak',
  async () => {
    const result = await apiFuzz(1000);
    expectPassed(result);
    expect(result.inputs).toBe(1000);
  },
  SCENARIO_TIMEOUT,
);
