import { formatLogLine } from '../lambda';
import type { LogLine } from './names';

/** Where log lines go: `logs` says how they are shown, `onLog` also receives each raw line. */
export interface LogOptions {
  logs?: 'pretty' | 'json' | 'silent';
  onLog?: (functionName: string, line: string) => void;
}

/** Function and service logs: `print` shows a line as `logs` asks, `onLog` also hands it to options.onLog. */
export function logSinks(options: LogOptions): { print: LogLine; onLog: LogLine } {
  const log = options.logs ?? 'pretty';
  const print: LogLine =
    log === 'silent'
      ? () => undefined
      : (name, line) => process.stdout.write(`${formatLogLine(name, line, { json: log === 'json' })}\n`);
  const onLog: LogLine = (name, line) => {
    options.onLog?.(name, line);
    print(name, line);
  };
  return { print, onLog };
}
