/** The variables the claim-image function reads, validated at cold start; infra/config/functions.ts must set each (a type error otherwise). */
import { type EnvShape, intFromEnv, nonEmpty } from '../shared/env';

export const CLAIM_IMAGE_ENVIRONMENT = {
  LABELS_TABLE_NAME: nonEmpty,
  CLAIM_LEASE_SECONDS: intFromEnv(30, 3600),
} satisfies EnvShape;
