/**
 * PutEvents' input, checked as EventBridge checks it: at most 10 entries and 256 KB in all
 * (the whole call fails), and per entry a Source, a DetailType and a Detail that is a JSON
 * object (only that entry fails, with EventBridge's error code). An entry becomes an event in
 * the envelope every target receives.
 */
import { randomUUID } from 'node:crypto';
import { eventsError } from './errors';

export const MAX_ENTRIES = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;

export class PutEventsEntryError extends Error {
  override readonly name = 'PutEventsEntryError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
  [field: string]: unknown;
}

type Entry = Record<string, unknown>;

const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);

/** An entry's size as EventBridge counts it (Time 14 bytes, then Source, DetailType, Detail, Resources). */
export function entrySize(entry: Entry): number {
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time !== undefined ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    resources.reduce((sum: number, resource) => sum + bytes(resource), 0)
  );
}

/** The entries of a PutEvents call; throws a ValidationException for the call as a whole. */
export function entriesOf(input: Entry): Entry[] {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
    throw eventsError.validation(
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES} (got ${Array.isArray(entries) ? entries.length : 'none'}).`,
    );
  }
  if (!entries.every((entry) => typeof entry === 'object' && entry !== null && !Array.isArray(entry))) {
    throw eventsError.validation('Every entry of Entries must be an object.');
  }
  const total = (entries as Entry[]).reduce((sum, entry) => sum + entrySize(entry), 0);
  if (total > MAX_REQUEST_BYTES) {
    throw eventsError.validation(
      `Total size of the entries in the request is over the limit (${total} bytes, at most ${MAX_REQUEST_BYTES}).`,
    );
  }
  return entries as Entry[];
}

const required = (entry: Entry, field: string): string => {
  const value = entry[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new PutEventsEntryError(
      'InvalidArgument',
      `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
    );
  }
  return value;
};

/** EventBridge's time format: ISO 8601 to the second. */
export const eventTime = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function timeOf(entry: Entry, now: Date): string {
  if (entry.Time === undefined) return eventTime(now);
  const time = typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : new Date(String(entry.Time));
  if (Number.isNaN(time.getTime())) {
    throw new PutEventsEntryError('InvalidArgument', 'Parameter Time is not valid. Reason: not a timestamp.');
  }
  return eventTime(time);
}

function detailOf(entry: Entry): Record<string, unknown> {
  const text = required(entry, 'Detail');
  let detail: unknown;
  try {
    detail = JSON.parse(text);
  } catch {
    throw new PutEventsEntryError('MalformedDetail', 'Detail is malformed: it is not JSON.');
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    throw new PutEventsEntryError('MalformedDetail', 'Detail is malformed: it must be a JSON object.');
  }
  return detail as Record<string, unknown>;
}

/** The event an entry makes; throws PutEventsEntryError for this entry only. */
export function buildEvent(
  entry: Entry,
  where: { region: string; accountId: string },
  now = new Date(),
): BusEvent {
  const source = required(entry, 'Source');
  const detailType = required(entry, 'DetailType');
  const detail = detailOf(entry);
  const resources = entry.Resources ?? [];
  if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string')) {
    throw new PutEventsEntryError(
      'InvalidArgument',
      'Parameter Resources is not valid. Reason: a list of ARNs.',
    );
  }
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: where.accountId,
    time: timeOf(entry, now),
    region: where.region,
    resources: resources as string[],
    detail,
  };
}
