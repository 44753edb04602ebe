/**
 * The local cloud's fault switches (`npm start -- --faults ...`, see README). Rekognition's
 * own switches (throttling, internal errors) are in `LocalCloud.rekognition.faults`.
 */
export interface FaultSwitches {
  /** S3 delivers every event this many times at once (S3 is at-least-once). Default 1. */
  duplicateEvents: number;
  /** Probability 0..1 that a DynamoDB write is throttled. */
  dynamoWriteThrottleRate: number;
  /** Probability 0..1 that detect-labels dies right after Rekognition answered. */
  crashAfterRekognitionRate: number;
  /** The next N detect-labels invocations die right after Rekognition answered (deterministic). */
  crashAfterRekognitionNext: number;
}

/** The switches at start: no fault unless `faults` sets one; throws RangeError on a bad value. */
export function initialSwitches(faults: Partial<FaultSwitches> = {}): FaultSwitches {
  return checkSwitches({
    duplicateEvents: 1,
    dynamoWriteThrottleRate: 0,
    crashAfterRekognitionRate: 0,
    crashAfterRekognitionNext: 0,
    ...faults,
  });
}

export function checkSwitches(switches: FaultSwitches): FaultSwitches {
  const rate = (value: number, name: string) => {
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be between 0 and 1, not ${value}`);
  };
  rate(switches.dynamoWriteThrottleRate, 'dynamoWriteThrottleRate');
  rate(switches.crashAfterRekognitionRate, 'crashAfterRekognitionRate');
  if (!(Number.isInteger(switches.crashAfterRekognitionNext) && switches.crashAfterRekognitionNext >= 0)) {
    throw new RangeError(
      `crashAfterRekognitionNext must be a whole number, not ${switches.crashAfterRekognitionNext}`,
    );
  }
  if (
    !(
      Number.isInteger(switches.duplicateEvents) &&
      switches.duplicateEvents >= 1 &&
      switches.duplicateEvents <= 10
    )
  ) {
    throw new RangeError(
      `duplicateEvents must be a whole number from 1 to 10, not ${switches.duplicateEvents}`,
    );
  }
  return switches;
}
