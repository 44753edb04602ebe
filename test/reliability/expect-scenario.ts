/**
 * What every reliability scenario run from `npm test` must show. One file per scenario
 * (test/reliability/*.test.ts), so Vitest runs them side by side with the rest of the suite.
 */
import { expect } from 'vitest';
import type { ScenarioResult } from '../../reliability/harness';

/** A scenario run ends with no problem, no lost upload and nothing in a dead-letter queue. */
export function expectPassed(result: ScenarioResult) {
  expect(result.problems).toEqual([]);
  expect(result.lost).toBe(0);
  expect(result.dlqMessages).toBe(0);
}

/** A queue subscribed to the bus got one eventId per final record: none lost, none doubled. */
export function expectOneEventPerRecord(result: ScenarioResult) {
  const [, distinct] = /^(\d+) events \(\d+ repeats\), 0 lost, 0 doubled$/.exec(result.events ?? '') ?? [];
  expect({ events: result.events, atLeastOnePerInput: Number(distinct) >= result.inputs }).toEqual({
    events: expect.stringMatching(/, 0 lost, 0 doubled$/),
    atLeastOnePerInput: true,
  });
}

/** A whole local cloud per scenario, with hundreds of uploads or requests: minutes, not seconds. */
export const SCENARIO_TIMEOUT = 300_000;
