/** Names, pages and the execution history file of the local Step Functions service. */
import { existsSync, readFileSync } from 'node:fs';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { SfnServiceError, sfnError } from './errors';
import type { ExecutionRecord } from './types';

/** AWS rules for state machine and execution names: 1-80 characters, none of these. */
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/u;

export function validateName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name)) return false;
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return false; // control characters
  }
  return true;
}

export function paginate<T>(all: T[], maxResults: number | undefined, nextToken: string | undefined) {
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000)) {
    throw sfnError.validation(
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`,
    );
  }
  const pageSize = maxResults === undefined || maxResults === 0 ? 100 : maxResults;
  let start = 0;
  if (nextToken !== undefined) {
    const decoded = Number(
      Buffer.from(nextToken, 'base64url')
        .toString('utf8')
        .replace(/^offset:/, ''),
    );
    if (!Number.isInteger(decoded) || decoded < 0 || decoded > all.length) {
      throw new SfnServiceError('InvalidToken', `Invalid Token: '${nextToken}'`);
    }
    start = decoded;
  }
  const items = all.slice(start, start + pageSize);
  const next =
    start + pageSize < all.length
      ? Buffer.from(`offset:${start + pageSize}`).toString('base64url')
      : undefined;
  return { items, nextToken: next };
}

export function stripExecutionData(event: HistoryEvent): HistoryEvent {
  const copy: Record<string, unknown> = { ...event };
  for (const [key, value] of Object.entries(copy)) {
    if (key.endsWith('EventDetails') && typeof value === 'object' && value !== null) {
      const { input: _i, output: _o, parameters: _p, ...rest } = value as Record<string, unknown>;
      copy[key] = rest;
    }
  }
  return copy as unknown as HistoryEvent;
}

export function loadHistory(file: string, max: number): ExecutionRecord[] {
  if (!existsSync(file)) return [];
  const records: ExecutionRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const raw = JSON.parse(line) as ExecutionRecord & { startDate: string; stopDate?: string };
      records.push({
        ...raw,
        startDate: new Date(raw.startDate),
        stopDate: raw.stopDate === undefined ? undefined : new Date(raw.stopDate),
        events: raw.events.map((e) => ({ ...e, timestamp: new Date(e.timestamp as unknown as string) })),
      });
    } catch {
      // A torn last line (crash while writing) is skipped.
    }
  }
  return records.slice(-max);
}
