/**
 * The pipeline's feature flags, as the functions see them: AppConfig's retrieval format
 * (`{ "<flag>": { "enabled": bool, ...attributes } }`, attributes present only when enabled),
 * validated with zod and resolved into the settings the domain code takes. Pure: no clients,
 * no environment. A flag missing from the document keeps its default; a document that is not
 * valid as a whole is refused (the caller falls back to safe defaults).
 */
import * as z from './zod';
import { issueLines } from './zod-issues';

const labelName = z.string().check(z.minLength(1), z.maxLength(100));
/** Rekognition accepts at most 100 entries per GeneralLabels filter. */
const nameList = z._default(z.array(labelName).check(z.maxLength(100)), []);

const disabled = z.object({ enabled: z.literal(false) });

export const LabelFiltersFlagSchema = z.discriminatedUnion('enabled', [
  disabled,
  z.object({
    enabled: z.literal(true),
    minConfidence: z.number().check(z.gte(0), z.lte(100)),
    maxLabels: z.int().check(z.gte(1), z.lte(100)),
    includeLabels: nameList,
    excludeLabels: nameList,
    includeCategories: nameList,
    excludeCategories: nameList,
  }),
]);

export const IngestThrottleFlagSchema = z.discriminatedUnion('enabled', [
  disabled,
  z.object({ enabled: z.literal(true), maxConcurrency: z.int().check(z.gte(2), z.lte(1000)) }),
]);

/** Unknown flags are ignored, so a document may carry flags for a newer release. */
export const RetrievedFlagsSchema = z.looseObject({
  processing: z.optional(z.object({ enabled: z.boolean() })),
  labelFilters: z.optional(LabelFiltersFlagSchema),
  ingestThrottle: z.optional(IngestThrottleFlagSchema),
});

export interface LabelFilters {
  includeLabels: string[];
  excludeLabels: string[];
  includeCategories: string[];
  excludeCategories: string[];
}

export interface Flags {
  /** Where the values came from: AppConfig, or the safe defaults after a failure. */
  source: 'appconfig' | 'defaults';
  /** AppConfig's version label of the configuration, `unknown` when it sent none, `defaults`. */
  version: string;
  /** The kill switch: false means uploads wait in the queue. */
  processing: boolean;
  /** Present when the labelFilters flag is on: replaces the stage's label settings. */
  labels?: { minConfidence: number; maxLabels: number } & LabelFilters;
  /** Present when the ingestThrottle flag is on. */
  maxConcurrency?: number;
}

/** What every function uses when AppConfig cannot be reached or sends something invalid. */
export const DEFAULT_FLAGS: Flags = { source: 'defaults', version: 'defaults', processing: true };

export type FlagsParseResult = { ok: true; flags: Flags } | { ok: false; reason: string };

/** Parses a GetLatestConfiguration body (UTF-8 JSON in the retrieval format). */
export function parseFlags(body: string | Uint8Array, version = 'unknown'): FlagsParseResult {
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the configuration is not JSON' };
  }
  const result = RetrievedFlagsSchema.safeParse(json);
  if (!result.success) {
    const problems = issueLines(result.error);
    return { ok: false, reason: `invalid flags: ${problems.join('; ')}` };
  }
  const { processing, labelFilters, ingestThrottle } = result.data;
  const flags: Flags = { source: 'appconfig', version, processing: processing?.enabled ?? true };
  if (labelFilters?.enabled) {
    const { enabled: _enabled, ...labels } = labelFilters;
    flags.labels = labels;
  }
  if (ingestThrottle?.enabled) flags.maxConcurrency = ingestThrottle.maxConcurrency;
  return { ok: true, flags };
}

export interface LabelDefaults {
  minConfidence: number;
  maxLabels: number;
}

export interface ResolvedLabelSettings extends LabelDefaults, LabelFilters {
  flagsVersion: string;
  flagsSource: Flags['source'];
}

/** The label settings of one run: the flag's values when it is on, else the stage's defaults. */
export function labelSettingsFrom(flags: Flags, defaults: LabelDefaults): ResolvedLabelSettings {
  const meta = { flagsVersion: flags.version, flagsSource: flags.source };
  if (flags.labels) return { ...flags.labels, ...meta };
  return {
    ...defaults,
    includeLabels: [],
    excludeLabels: [],
    includeCategories: [],
    excludeCategories: [],
    ...meta,
  };
}
