/**
 * The delivery part of a stage: how CodeDeploy shifts traffic to a new version of each function,
 * when it rolls back, and which operational alarms page whom. Validated with the rest of the
 * stage in stage-config.ts (a bad value fails `cdk synth` with the field's name).
 */
import { z } from 'zod';

/** CodeDeploy's predefined Lambda configurations (LambdaDeploymentConfig static members). */
export const PREDEFINED_DEPLOYMENT_CONFIGS = [
  'ALL_AT_ONCE',
  'CANARY_10PERCENT_5MINUTES',
  'CANARY_10PERCENT_10MINUTES',
  'CANARY_10PERCENT_15MINUTES',
  'CANARY_10PERCENT_30MINUTES',
  'LINEAR_10PERCENT_EVERY_1MINUTE',
  'LINEAR_10PERCENT_EVERY_2MINUTES',
  'LINEAR_10PERCENT_EVERY_3MINUTES',
  'LINEAR_10PERCENT_EVERY_10MINUTES',
] as const;

/** CloudFormation: whole minutes, an integer percentage (changing either replaces the config). */
const stepped = {
  percentage: z.number().int().min(1).max(99),
  intervalMinutes: z.number().int().min(1).max(2880),
};

export const DeploymentConfigSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('predefined'), name: z.enum(PREDEFINED_DEPLOYMENT_CONFIGS) }).strict(),
  /** A custom TimeBasedCanaryTrafficRouting: `percentage` for `intervalMinutes`, then 100 %. */
  z.object({ type: z.literal('canary'), ...stepped }).strict(),
  /** A custom TimeBasedLinearTrafficRouting: `percentage` more every `intervalMinutes`. */
  z.object({ type: z.literal('linear'), ...stepped }).strict(),
]);
export type DeploymentConfig = z.infer<typeof DeploymentConfigSchema>;

const milliseconds = z.number().int().min(1).max(900_000);

export const DeliveryConfigSchema = z
  .object({
    deployment: DeploymentConfigSchema,
    /** Rollback alarms, evaluated on the NEW version only (ExecutedVersion dimension). */
    rollback: z
      .object({
        /**
         * Errors: the new version's error rate may exceed the whole alias's rate by at most this
         * many percentage points. Relative on purpose: validate-image throws ImageRejected for
         * every bad upload, so an absolute error count would roll back on user input.
         */
        errorRateRegressionPoints: z.number().min(1).max(100),
        /** Below this many invocations of the new version in a minute, the error rate is not judged. */
        minInvocations: z.number().int().min(1).max(10_000),
        /** Throttles of the new version in one minute that roll back. */
        throttles: z.number().int().min(1).max(10_000),
        /** p99 duration budget of each function's new version (2 of 3 minutes above it roll back). */
        durationP99Ms: z
          .object({
            claim: milliseconds,
            validate: milliseconds,
            detect: milliseconds,
            store: milliseconds,
            record: milliseconds,
            start: milliseconds,
            applyFlags: milliseconds,
            reconcile: milliseconds,
            validateFlags: milliseconds,
            countLabels: milliseconds,
            api: milliseconds,
          })
          .strict(),
      })
      .strict(),
  })
  .strict();
export type DeliveryConfig = z.infer<typeof DeliveryConfigSchema>;

export const AlarmsConfigSchema = z
  .object({
    /** Alarm notifications by e-mail (SNS subscription, confirmed by the recipient). Optional. */
    email: z.email().optional(),
    /** Alarm evaluation period. */
    periodMinutes: z.number().int().min(1).max(60),
    /** Failed or timed-out executions per period. */
    failedExecutions: z.number().int().min(1),
    /** Messages visible in the dead-letter queue (any is worth a look). */
    deadLetterMessages: z.number().int().min(1),
    /** RekognitionThrottles (each a throttled DetectLabels call, retried by the workflow) per period. */
    rekognitionThrottles: z.number().int().min(1),
    /** API 5xx responses per period (when the dashboard is given an API). */
    api5xx: z.number().int().min(1),
    /** How far behind the table's stream count-labels may read before it alarms (IteratorAge). */
    labelCountsLagSeconds: z.number().int().min(10).max(86_400).default(300),
  })
  .strict();
export type AlarmsConfig = z.infer<typeof AlarmsConfigSchema>;

/** Task functions answer in well under a second; start-workflow waits for a whole run. */
const DURATION_BUDGETS = {
  claim: 1_000,
  validate: 2_000,
  detect: 8_000,
  store: 3_000,
  record: 2_000,
  start: 60_000,
  applyFlags: 3_000,
  reconcile: 3_000,
  validateFlags: 1_000,
  // A window's final invocation writes one count per label touched.
  countLabels: 5_000,
  api: 3_000,
};

export const STAGE_DELIVERY = {
  dev: {
    deployment: { type: 'predefined', name: 'ALL_AT_ONCE' },
    rollback: {
      errorRateRegressionPoints: 10,
      minInvocations: 5,
      throttles: 5,
      durationP99Ms: DURATION_BUDGETS,
    },
  },
  prod: {
    deployment: { type: 'predefined', name: 'CANARY_10PERCENT_5MINUTES' },
    rollback: {
      errorRateRegressionPoints: 5,
      minInvocations: 5,
      throttles: 1,
      durationP99Ms: DURATION_BUDGETS,
    },
  },
  local: {
    deployment: { type: 'predefined', name: 'ALL_AT_ONCE' },
    rollback: {
      errorRateRegressionPoints: 10,
      minInvocations: 5,
      throttles: 5,
      durationP99Ms: DURATION_BUDGETS,
    },
  },
} as const satisfies Record<string, z.input<typeof DeliveryConfigSchema>>;

export const STAGE_ALARMS = {
  dev: { periodMinutes: 5, failedExecutions: 5, deadLetterMessages: 1, rekognitionThrottles: 50, api5xx: 10 },
  prod: { periodMinutes: 5, failedExecutions: 1, deadLetterMessages: 1, rekognitionThrottles: 20, api5xx: 5 },
  local: {
    periodMinutes: 5,
    failedExecutions: 5,
    deadLetterMessages: 1,
    rekognitionThrottles: 50,
    api5xx: 10,
  },
} as const satisfies Record<string, z.input<typeof AlarmsConfigSchema>>;

/**
 * The label-image state machine's fixed name (the local cloud uses the same one). Fixed so the
 * post-traffic hook can build its ARN: a reference would close a cycle (hook -> state machine
 * -> aliases -> hook).
 */
export function labelWorkflowName(stage: string): string {
  return `image-labeling-${stage}-label-image`;
}

/** The CodeDeploy application of a stage's pipeline functions. */
export function deliveryApplicationName(stage: string): string {
  return `image-labeling-${stage}-pipeline`;
}

/** `-c alarmEmail=ops@example.com` subscribes an address to the stage's alarm topic. */
export function withAlarmEmail<T extends { stage: string; alarms: AlarmsConfig }>(
  config: T,
  email: unknown,
): T {
  if (email === undefined || email === null || email === '') return config;
  const parsed = z.email().safeParse(email);
  if (!parsed.success) {
    throw new Error(
      `Invalid context alarmEmail for stage "${config.stage}": ${JSON.stringify(email)} is not an e-mail address.`,
    );
  }
  return { ...config, alarms: { ...config.alarms, email: parsed.data } };
}
