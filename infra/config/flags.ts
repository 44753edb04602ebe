/**
 * Feature flags: where the document lives, what the AppConfig resources are called in a stage,
 * how a new version rolls out, and the variables of the functions that read flags. Shared by the
 * CDK stack (infra/constructs/feature-flags.ts) and the local cloud (local/appconfig), which
 * serves the same document under the same names.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';

/** The one flags document, in AppConfig's AWS.AppConfig.FeatureFlags format. */
export const FLAGS_DOCUMENT_PATH = fileURLToPath(new URL('../../config/flags.json', import.meta.url));

export const FlagsConfigSchema = z
  .object({
    /** AppConfig deployment strategy of a new flags version (rolled back if a monitor alarms). */
    deployment: z
      .object({
        growthType: z.enum(['LINEAR', 'EXPONENTIAL']),
        /** Percentage of targets that get the new version at each step. */
        growthFactor: z.number().min(1).max(100),
        durationMinutes: z.number().int().min(0).max(1440),
        /** After 100 %, how long AppConfig keeps watching the alarms (and can still roll back). */
        finalBakeTimeMinutes: z.number().int().min(0).max(1440),
      })
      .strict(),
    /** How long a function uses retrieved flags before asking AppConfig again. */
    cacheSeconds: z.number().int().min(1).max(300),
    /** How often apply-flags puts the kill switch and throttle onto the event source (AWS: whole minutes). */
    applyIntervalSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .refine((seconds) => seconds < 60 || seconds % 60 === 0, {
        message: 'below 60 seconds (local cloud only) or whole minutes (an EventBridge rate)',
      }),
  })
  .strict();
export type FlagsConfig = z.infer<typeof FlagsConfigSchema>;

export const STAGE_FLAGS = {
  /** All at once, no bake: a flag change applies within a minute. */
  dev: {
    deployment: { growthType: 'LINEAR', growthFactor: 100, durationMinutes: 0, finalBakeTimeMinutes: 0 },
    cacheSeconds: 5,
    applyIntervalSeconds: 60,
  },
  /** 20 % more every 2 minutes over 10 minutes, then 10 minutes of watching the alarms. */
  prod: {
    deployment: { growthType: 'LINEAR', growthFactor: 20, durationMinutes: 10, finalBakeTimeMinutes: 10 },
    cacheSeconds: 15,
    applyIntervalSeconds: 60,
  },
  /** The local cloud re-reads config/flags.json: an edit applies within about two seconds. */
  local: {
    deployment: { growthType: 'LINEAR', growthFactor: 100, durationMinutes: 0, finalBakeTimeMinutes: 0 },
    cacheSeconds: 1,
    applyIntervalSeconds: 1,
  },
} as const satisfies Record<string, z.input<typeof FlagsConfigSchema>>;

export interface FlagsNames {
  application: string;
  environment: string;
  profile: string;
}

export function flagsNames(stage: string): FlagsNames {
  return { application: `image-labeling-${stage}`, environment: stage, profile: 'pipeline-flags' };
}

/**
 * The variables of a function that reads flags (functions/shared/flags.ts, over functions/core/flags-reader.ts). Names, not ids: the
 * functions then do not depend on the AppConfig resources, whose rollback alarms may watch them.
 */
export function flagsEnvironment(config: { stage: string; flags: FlagsConfig }): Record<string, string> {
  const names = flagsNames(config.stage);
  return {
    FLAGS_APPLICATION: names.application,
    FLAGS_ENVIRONMENT: names.environment,
    FLAGS_PROFILE: names.profile,
    FLAGS_MAX_AGE_SECONDS: String(config.flags.cacheSeconds),
  };
}

/** The version label of a flags document: the same on AWS and in the local cloud. */
export function flagsVersionLabel(documentText: string): string {
  return `flags-${createHash('sha256').update(documentText).digest('hex').slice(0, 12)}`;
}
