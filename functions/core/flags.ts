/**
 * The pipeline's feature flags, as the functions see them: AppConfig's retrieval format
 * (`{ "<flag>": { "enabled": bool, ...attributes } }`, attributes present only when enabled),
 * validated and resolved into the settings the domain code takes. Pure: no clients,
 * no environment. A flag missing from the document keeps its default; a document that is not
 * valid as a whole is refused (the caller falls back to safe defaults).
 */
import * as v from 'valibot';
import { int, issueLines, jsonObject } from './validation';

const labelName = v.pipe(v.string(), v.minLength(1), v.maxLength(100));
/** Rekognition accepts at most 100 entries per GeneralLabels filter. */
const nameList = v.optional(v.pipe(v.array(labelName), v.maxLength(100)), []);

const disabled = v.object({ enabled: v.literal(false) });

export const LabelFiltersFlagSchema = v.variant('enabled', [
  disabled,
  v.object({
    enabled: v.literal(true),
    minConfidence: v.pipe(v.number(), v.minValue(0), v.maxValue(100)),
    maxLabels: v.pipe(int, v.minValue(1), v.maxValue(100)),
    includeLabels: nameList,
    excludeLabels: nameList,
    includeCategories: nameList,
    excludeCategories: nameList,
  }),
]);

export const IngestThrottleFlagSchema = v.variant('enabled', [
  disabled,
  v.object({ enabled: v.literal(true), maxConcurrency: v.pipe(int, v.minValue(2), v.maxValue(1000)) }),
]);

/** Unknown flags are ignored, so a document may carry flags for a newer release. */
export const RetrievedFlagsSchema = jsonObject(
  v.looseObject({
    processing: v.optional(v.object({ enabled: v.boolean() })),
    labelFilters: v.optional(LabelFiltersFlagSchema),
    ingestThrottle: v.optional(IngestThrottleFlagSchema),
  }),
);

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
  const result = v.safeParse(RetrievedFlagsSchema, json);
  if (!result.success) {
    const problems = issueLines(result.issues);
    return { ok: false, reason: `invalid flags: ${problems.join('; ')}` };
  }
  const { processing, labelFilters, ingestThrottle } = result.output;
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
