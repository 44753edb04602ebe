import { describe, expect, it } from 'vitest';
import { parseFaultsFlag } from '../../local/faults-flag';

describe('parseFaultsFlag (npm start -- --faults)', () => {
  it('reads every switch', () => {
    const parsed = parseFaultsFlag(
      'rekognition-throttle=0.3,rekognition-error=0.05,dynamodb-throttle=0.2,crash-after-rekognition=0.1,duplicate-events=3',
    );
    expect(parsed).toEqual({
      rekognition: { throttleRate: 0.3, internalErrorRate: 0.05 },
      switches: { dynamoWriteThrottleRate: 0.2, crashAfterRekognitionRate: 0.1, duplicateEvents: 3 },
    });
  });

  it('means no faults when empty', () => {
    expect(parseFaultsFlag('')).toEqual({ switches: {}, rekognition: {} });
  });

  it.each([
    ['rekognition-throttle=1.5', /probability/],
    ['dynamodb-throttle=abc', /probability/],
    ['duplicate-events=0', /whole number/],
    ['duplicate-events=2.5', /whole number/],
    ['disk-full=0.1', /unknown switch "disk-full"/],
  ])('rejects %s with a clear message', (value, message) => {
    expect(() => parseFaultsFlag(value)).toThrow(message);
  });
});
