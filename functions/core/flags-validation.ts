/**
 * The one verdict on a feature-flags document before it is served: at `cdk synth`
 * (infra/constructs/feature-flags.ts), by the AppConfig Lambda validator of the flags profile
 * (functions/validate-flags, at StartDeployment) and by the local cloud whenever
 * config/flags.json changes (local/appconfig). A document is refused when
 *
 * 1. AppConfig would refuse it: the AWS.AppConfig.FeatureFlags schema and the attribute
 *    constraints (flags-document.ts);
 * 2. the functions would refuse it and fall back to safe defaults: its retrieval format goes
 *    through parseFlags, the very function the readers call, so the two can never disagree;
 * 3. the functions would read it, but it is unsafe:
 *    - an enabled labelFilters flag that includes and excludes the same label, or the same
 *      category (compared case-insensitively, as Rekognition compares names): a contradiction,
 *      and with nothing else included, every image would be LABELED with no labels;
 *    - an enabled ingestThrottle above the stage's maximum ingest concurrency, which is sized to
 *      the Rekognition quota: the throttle may lower the concurrency, never raise it.
 *
 * The rules of 3 look at enabled flags only, as the readers do (a disabled flag's attributes are
 * not delivered). Switching a flag on makes a new version, which is validated again.
 *
 * Pure: no clients, no environment.
 */

import { type Flags, parseFlags } from './flags';
import { type RetrievedConfiguration, toRetrievalFormat } from './flags-document';

/** What a document is checked against besides itself: the stage's limits. */
export interface FlagsLimits {
  /** The stage's ingest.maxConcurrency (infra/config/stage-config.ts). */
  maxIngestConcurrency: number;
}

export type FlagsVerdict =
  | { ok: true; configuration: RetrievedConfiguration; flags: Flags }
  | { ok: false; problems: string[] };

/** Thrown by the validator for a refused document; AppConfig then refuses the deployment. */
export class FlagsDocumentInvalidError extends Error {
  override readonly name = 'FlagsDocumentInvalid';
  constructor(readonly problems: string[]) {
    super(
      `Refused flags document (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.join('; ')}`,
    );
  }
}

/** Entries of `include` that `exclude` also names, case-insensitively, each once. */
function overlap(include: string[], exclude: string[]): string[] {
  const excluded = new Set(exclude.map((name) => name.toLowerCase()));
  const seen = new Set<string>();
  return include.filter((name) => {
    const key = name.toLowerCase();
    if (!excluded.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The rules of 3, on what the readers would see. */
function unsafe(flags: Flags, limits: FlagsLimits): string[] {
  const problems: string[] = [];
  if (flags.labels) {
    const pairs = [
      ['includeLabels', 'excludeLabels', 'label'],
      ['includeCategories', 'excludeCategories', 'category'],
    ] as const;
    for (const [include, exclude, what] of pairs) {
      const both = overlap(flags.labels[include], flags.labels[exclude]);
      if (both.length === 0) continue;
      problems.push(
        `values.labelFilters: ${include} and ${exclude} both name ${both.map((name) => JSON.stringify(name)).join(', ')} (compared case-insensitively, as Rekognition does): a ${what} cannot be both included and excluded`,
      );
    }
  }
  if (flags.maxConcurrency !== undefined && flags.maxConcurrency > limits.maxIngestConcurrency) {
    problems.push(
      `values.ingestThrottle.maxConcurrency: ${flags.maxConcurrency} is above the stage's maximum ingest concurrency (${limits.maxIngestConcurrency}); the throttle may only lower it`,
    );
  }
  return problems;
}

/** Checks 2 and 3 on a configuration in the retrieval format. */
function checkRetrieved(configuration: RetrievedConfiguration, limits: FlagsLimits): FlagsVerdict {
  const parsed = parseFlags(JSON.stringify(configuration));
  if (!parsed.ok) {
    return {
      ok: false,
      problems: [`the functions would refuse these flags and use the safe defaults (${parsed.reason})`],
    };
  }
  const problems = unsafe(parsed.flags, limits);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, configuration, flags: parsed.flags };
}

/**
 * A stored document (AWS.AppConfig.FeatureFlags format, as config/flags.json): checks 1, 2 and 3.
 * On success, its retrieval format (what GetLatestConfiguration serves) and the flags read from it.
 */
export function validateFlagsDocument(text: string, limits: FlagsLimits): FlagsVerdict {
  const stored = toRetrievalFormat(text);
  if (!stored.ok) return stored;
  return checkRetrieved(stored.configuration, limits);
}

/** A configuration already in the retrieval format: checks 2 and 3. */
export function validateRetrievedFlags(text: string, limits: FlagsLimits): FlagsVerdict {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`not JSON: ${error instanceof Error ? error.message : String(error)}`] };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, problems: ['(root): must be a JSON object of flags'] };
  }
  return checkRetrieved(json as RetrievedConfiguration, limits);
}

/** Top-level keys that only the stored format has. */
const STORED_KEYS = ['version', 'flags', 'values'];

/**
 * What a Lambda validator is given: the stored document, or (should AppConfig ever send it) the
 * retrieval format. A JSON object with a top-level `version`, `flags` or `values` key is read as
 * the stored format, whose checks are the stricter ones; anything else as the retrieval format.
 */
export function validateFlagsContent(
  text: string,
  limits: FlagsLimits,
): FlagsVerdict & { format: 'stored' | 'retrieval' } {
  let stored = true;
  try {
    const json: unknown = JSON.parse(text);
    stored =
      typeof json !== 'object' ||
      json === null ||
      Array.isArray(json) ||
      STORED_KEYS.some((key) => Object.hasOwn(json, key));
  } catch {
    // Not JSON: refused as a stored document.
  }
  return stored
    ? { ...validateFlagsDocument(text, limits), format: 'stored' }
    : { ...validateRetrievedFlags(text, limits), format: 'retrieval' };
}
