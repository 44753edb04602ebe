/**
 * Parses `npm start -- --faults <list>`: comma-separated switches, e.g.
 * `rekognition-throttle=0.3,rekognition-error=0.05,dynamodb-throttle=0.2,crash-after-rekognition=0.1,duplicate-events=3`.
 */
import type { FaultSwitches } from './cloud';
import type { FaultSettings } from './rekognition';

export interface ParsedFaults {
  switches: Partial<FaultSwitches>;
  rekognition: FaultSettings;
}

const RATE = /^(0(\.\d+)?|1(\.0+)?)$/;

export function parseFaultsFlag(value: string): ParsedFaults {
  const parsed: ParsedFaults = { switches: {}, rekognition: {} };
  for (const part of value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [name, raw = ''] = part.split('=');
    const rate = () => {
      if (!RATE.test(raw)) throw new Error(`--faults ${name}=${raw}: give a probability from 0 to 1`);
      return Number(raw);
    };
    switch (name) {
      case 'rekognition-throttle':
        parsed.rekognition.throttleRate = rate();
        break;
      case 'rekognition-error':
        parsed.rekognition.internalErrorRate = rate();
        break;
      case 'dynamodb-throttle':
        parsed.switches.dynamoWriteThrottleRate = rate();
        break;
      case 'crash-after-rekognition':
        parsed.switches.crashAfterRekognitionRate = rate();
        break;
      case 'duplicate-events': {
        const copies = Number(raw);
        if (!(Number.isInteger(copies) && copies >= 1 && copies <= 10)) {
          throw new Error(`--faults duplicate-events=${raw}: give a whole number from 1 to 10`);
        }
        parsed.switches.duplicateEvents = copies;
        break;
      }
      default:
        throw new Error(
          `--faults: unknown switch "${name}" (known: rekognition-throttle, rekognition-error, dynamodb-throttle, crash-after-rekognition, duplicate-events)`,
        );
    }
  }
  return parsed;
}
