/**
 * The runtime configuration the console reads from `/config.json` at start, checked by hand
 * (no schema library in the bundle): every field a non-empty string, the URLs absolute http(s)
 * without a trailing slash. A wrong file gives a list of problems a person can act on.
 */
import type { ConsoleRuntimeConfig } from '../../../infra/config/console';

export type { ConsoleRuntimeConfig };

export type ConfigResult = { ok: true; config: ConsoleRuntimeConfig } | { ok: false; problems: string[] };

const URL_FIELDS = ['apiUrl', 'authority', 'authDomain'] as const;
const TEXT_FIELDS = ['clientId', 'stage'] as const;

function urlProblem(field: string, value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${field} must be an absolute URL (got "${value}").`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${field} must be an http(s) URL.`;
  if (value.endsWith('/')) return `${field} must not end with a slash.`;
  return undefined;
}

/** Checks the parsed body of `/config.json`. */
export function parseConsoleConfig(value: unknown): ConfigResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problems: ['config.json must hold a JSON object.'] };
  }
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of [...URL_FIELDS, ...TEXT_FIELDS]) {
    const fieldValue = record[field];
    if (typeof fieldValue !== 'string' || fieldValue.trim() === '') {
      problems.push(`${field} is missing or empty.`);
      continue;
    }
    const problem = (URL_FIELDS as readonly string[]).includes(field)
      ? urlProblem(field, fieldValue)
      : undefined;
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) return { ok: false, problems };
  const { apiUrl, authority, clientId, authDomain, stage } = record as Record<string, string>;
  return { ok: true, config: { apiUrl, authority, clientId, authDomain, stage } as ConsoleRuntimeConfig };
}

/** Reads `/config.json` with the given fetch; a missing file or bad JSON is a problem, not a throw. */
export async function loadConsoleConfig(
  fetchJson: (url: string) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>,
): Promise<ConfigResult> {
  let response: Awaited<ReturnType<typeof fetchJson>>;
  try {
    response = await fetchJson('/config.json');
  } catch {
    return { ok: false, problems: ["config.json could not be fetched: can't reach the console's host."] };
  }
  if (!response.ok) {
    return { ok: false, problems: [`config.json could not be loaded (HTTP ${response.status}).`] };
  }
  try {
    return parseConsoleConfig(await response.json());
  } catch {
    return { ok: false, problems: ['config.json is not valid JSON.'] };
  }
}
