/** The variables the reconcile-object function reads, validated at cold start; infra/config/functions.ts must set each (a type error otherwise). */
import { type EnvShape, intFromEnv, nonEmpty, numberFromEnv } from '../shared/env';

export const RECONCILE_OBJECT_ENVIRONMENT = {
  LABELS_TABLE_NAME: nonEmpty,
  INGEST_QUEUE_URL: nonEmpty,
  MIN_CONFIDENCE: numberFromEnv(0, 100),
  MAX_LABELS: intFromEnv(1, 100),
} satisfies EnvShape;
