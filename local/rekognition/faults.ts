/**
 * Fault injection and call statistics for the local Rekognition endpoint.
 * `throttleNext` is deterministic (the next N calls throttle); the rates are random, drawn in
 * the order throttle, provisioned throughput, internal error.
 */
import { RekognitionError } from './errors';

export interface FaultSettings {
  /** Probability 0..1 that a call fails with ThrottlingException. */
  throttleRate?: number;
  /** Probability 0..1 that a call fails with InternalServerError. */
  internalErrorRate?: number;
  /** The next N calls fail with ThrottlingException (counts down). */
  throttleNext?: number;
  /** Probability 0..1 that a call fails with ProvisionedThroughputExceededException. */
  provisionedThroughputRate?: number;
}

export interface Faults {
  /** Merges the given settings into the current ones. */
  set(settings: FaultSettings): void;
  /** Back to no faults. */
  reset(): void;
  /** Current settings. */
  get(): Required<FaultSettings>;
  /** Called once per request: returns the injected error, if any (and consumes throttleNext). */
  next(): RekognitionError | undefined;
}

function checkRate(value: number | undefined, field: string): void {
  if (value !== undefined && !(value >= 0 && value <= 1))
    throw new RangeError(`${field} must be between 0 and 1`);
}

export function createFaults(initial: FaultSettings = {}, random: () => number = Math.random): Faults {
  let state: Required<FaultSettings> = {
    throttleRate: 0,
    internalErrorRate: 0,
    throttleNext: 0,
    provisionedThroughputRate: 0,
  };
  const faults: Faults = {
    set(settings) {
      checkRate(settings.throttleRate, 'throttleRate');
      checkRate(settings.internalErrorRate, 'internalErrorRate');
      checkRate(settings.provisionedThroughputRate, 'provisionedThroughputRate');
      if (
        settings.throttleNext !== undefined &&
        !(Number.isInteger(settings.throttleNext) && settings.throttleNext >= 0)
      ) {
        throw new RangeError('throttleNext must be a non-negative integer');
      }
      state = {
        ...state,
        ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)),
      };
    },
    reset() {
      state = { throttleRate: 0, internalErrorRate: 0, throttleNext: 0, provisionedThroughputRate: 0 };
    },
    get: () => ({ ...state }),
    next() {
      if (state.throttleNext > 0) {
        state.throttleNext -= 1;
        return new RekognitionError(
          'ThrottlingException',
          'Rate exceeded (injected by the local fault injector)',
        );
      }
      if (state.throttleRate > 0 && random() < state.throttleRate) {
        return new RekognitionError(
          'ThrottlingException',
          'Rate exceeded (injected by the local fault injector)',
        );
      }
      if (state.provisionedThroughputRate > 0 && random() < state.provisionedThroughputRate) {
        return new RekognitionError(
          'ProvisionedThroughputExceededException',
          'Provisioned rate exceeded (injected by the local fault injector)',
        );
      }
      if (state.internalErrorRate > 0 && random() < state.internalErrorRate) {
        return new RekognitionError(
          'InternalServerError',
          'Internal server error (injected by the local fault injector)',
        );
      }
      return undefined;
    },
  };
  faults.set(initial);
  return faults;
}

export interface Stats {
  /** Total DetectLabels calls (including failed ones). */
  calls: number;
  /** Count per outcome: "Success" or the error type. */
  byOutcome: Record<string, number>;
}
