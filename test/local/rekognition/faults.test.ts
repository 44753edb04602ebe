import { describe, expect, it } from 'vitest';
import { createFaults } from '../../../local/rekognition/faults';

describe('createFaults (fault injector)', () => {
  it('injects nothing by default', () => {
    const faults = createFaults();
    expect([faults.next(), faults.next()]).toEqual([undefined, undefined]);
  });

  it('throttles exactly the next N calls with throttleNext', () => {
    const faults = createFaults();
    faults.set({ throttleNext: 2 });
    const outcomes = [faults.next(), faults.next(), faults.next()].map((e) => e?.name);
    expect(outcomes).toEqual(['ThrottlingException', 'ThrottlingException', undefined]);
    expect(faults.get().throttleNext).toBe(0);
  });

  it('uses the rates against the random source', () => {
    // each call draws once for throttling, then (if not throttled) once for internal errors
    const rolls = [0.1, 0.9, 0.9, 0.9, 0.2];
    const faults = createFaults({ throttleRate: 0.5, internalErrorRate: 0.5 }, () => rolls.shift() ?? 1);
    expect(faults.next()?.name).toBe('ThrottlingException'); // 0.1 < 0.5
    expect(faults.next()).toBeUndefined(); // 0.9, 0.9
    expect(faults.next()?.name).toBe('InternalServerError'); // 0.9, then 0.2 < 0.5
  });

  it('injects ProvisionedThroughputExceededException at its rate', () => {
    const faults = createFaults({ provisionedThroughputRate: 1 });
    expect(faults.next()?.name).toBe('ProvisionedThroughputExceededException');
  });

  it('merges settings, resets, and validates ranges', () => {
    const faults = createFaults({ throttleRate: 0.2 });
    faults.set({ internalErrorRate: 0.1 });
    expect(faults.get()).toEqual({
      throttleRate: 0.2,
      internalErrorRate: 0.1,
      throttleNext: 0,
      provisionedThroughputRate: 0,
    });
    faults.reset();
    expect(faults.get()).toEqual({
      throttleRate: 0,
      internalErrorRate: 0,
      throttleNext: 0,
      provisionedThroughputRate: 0,
    });
    expect(() => faults.set({ throttleRate: 1.5 })).toThrow(RangeError);
    expect(() => faults.set({ throttleNext: -1 })).toThrow(RangeError);
  });
});
