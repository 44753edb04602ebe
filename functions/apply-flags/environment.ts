/** The variables the apply-flags function reads, validated at cold start; infra/config/functions.ts must set each (a type error otherwise). */
import { type EnvShape, intFromEnv, nonEmpty } from '../shared/env';

export const APPLY_FLAGS_ENVIRONMENT = {
  EVENT_SOURCE_MAPPING_ID: nonEmpty,
  DEFAULT_MAX_CONCURRENCY: intFromEnv(2, 1000),
} satisfies EnvShape;
