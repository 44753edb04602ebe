/** The variables the validate-flags function reads, validated at cold start; infra/config/functions.ts must set each (a type error otherwise). */
import { type EnvShape, intFromEnv } from '../shared/env';

export const VALIDATE_FLAGS_ENVIRONMENT = {
  MAX_INGEST_CONCURRENCY: intFromEnv(2, 1000),
} satisfies EnvShape;
