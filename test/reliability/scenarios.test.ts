/**
 * The fast reliability scenarios, in the normal test command (`npm run test:reliability`
 * runs these and the long ones: burst and crash-restart).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../reliability/harness';
import { apiFuzz } from '../../reliability/scenarios/api-fuzz';
import { badInput } from '../../reliability/scenarios/bad-input';
import { duplicates } from '../../reliability/scenarios/duplicates';
import { faults } from '../../reliability/scenarios/faults';

function expectPassed(result: ScenarioResult) {
  expect(result.problems).toEqual([]);
  expect(result.lost).toBe(0);
  expect(result.dlqMessages).toBe(0);
}

/** A queue subscribed to the bus got one eventId per final record: none lost, none doubled. */
function expectOneEventPerRecord(result: ScenarioResult) {
  const [, distinct] = /^(\d+) events \(\d+ repeats\), 0 lost, 0 doubled$/.exec(result.events ?? '') ?? [];
  expect({ events: result.events, atLeastOnePerInput: Number(distinct) >= result.inputs }).toEqual({
    events: expect.stringMatching(/, 0 lost, 0 doubled$/),
    atLeastOnePerInput: true,
  });
}

describe('reliability scenarios', () => {
  it('ends every kind of bad input in one precise final state, without Rekognition for invalid images', async () => {
    const result = await badInput();
    expectPassed(result);
    expect(result.inputs).toBeGreaterThanOrEqual(25);
    expect(result.rejected).toBeGreaterThanOrEqual(15);
    expectOneEventPerRecord(result);
  }, 300_000);

  it('calls Rekognition once per image when S3 delivers every event three times', async () => {
    const result = await duplicates(10);
    expectPassed(result);
    expect(result.rekognitionCalls).toBe(10);
    expectOneEventPerRecord(result);
  }, 300_000);

  it('labels every image despite throttling, errors and crashes, without a second Rekognition answer', async () => {
    const result = await faults(20);
    expectPassed(result);
    expect(result.labeled).toBe(20);
    expectOneEventPerRecord(result);
  }, 300_000);

  it('answers 1,000 malformed API requests without a 5xx or a leak', async () => {
    const result = await apiFuzz(1000);
    expectPassed(result);
    expect(result.inputs).toBe(1000);
  }, 300_000);
});
