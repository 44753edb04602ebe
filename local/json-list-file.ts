/**
 * A list the local cloud keeps under its data directory, as `{"version": 1, "<field>": [...]}`
 * (the EventBridge rules, the queues created with CreateQueue). Written to a temporary file,
 * fsync'd, then renamed over the old one, so a crash leaves the old list or the new one.
 */
import fs from 'node:fs';

/** The list in `file` (empty when there is none); `what` names it in the error for a damaged file. */
export function readJsonList<T>(file: string, field: string, what: string): T[] {
  if (!fs.existsSync(file)) return [];
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    const list = data[field];
    if (data.version !== 1 || !Array.isArray(list)) throw new Error('unknown format');
    return list as T[];
  } catch (error) {
    throw new Error(`${file}: ${what} cannot be read (${(error as Error).message})`, { cause: error });
  }
}

export function writeJsonList(file: string, field: string, list: readonly unknown[]): void {
  const temporary = `${file}.tmp`;
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeSync(fd, `${JSON.stringify({ version: 1, [field]: list }, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}
