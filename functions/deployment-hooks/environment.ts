/**
 * The variables each deployment hook reads; infra (DeploymentHookFunction) must set exactly
 * these, a type error otherwise. The hooks validate them per invocation, not at cold start, so a
 * bad environment is reported to CodeDeploy as Failed instead of leaving the deployment waiting.
 */
import * as v from 'valibot';
import { SMOKE_PLANS } from '../core/deployment-hooks/pre-traffic';
import { type EnvShape, nonEmpty } from '../shared/env';

export const PRE_TRAFFIC_ENVIRONMENT = {
  IMAGES_BUCKET_NAME: nonEmpty,
  /** The version being deployed: the hook invokes it directly. */
  TARGET_FUNCTION_ARN: nonEmpty,
  SMOKE_PLAN: v.picklist(SMOKE_PLANS),
} satisfies EnvShape;

export const POST_TRAFFIC_ENVIRONMENT = {
  IMAGES_BUCKET_NAME: nonEmpty,
  STATE_MACHINE_ARN: nonEmpty,
} satisfies EnvShape;

export const HOOK_ENVIRONMENTS = {
  'pre-traffic': PRE_TRAFFIC_ENVIRONMENT,
  'post-traffic': POST_TRAFFIC_ENVIRONMENT,
} as const;

export type HookEntry = keyof typeof HOOK_ENVIRONMENTS;
