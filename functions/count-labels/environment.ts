/** The variables the count-labels function reads, validated at cold start; infra/config/functions.ts must set each (a type error otherwise). */
import { type EnvShape, nonEmpty } from '../shared/env';

export const COUNT_LABELS_ENVIRONMENT = {
  LABELS_TABLE_NAME: nonEmpty,
} satisfies EnvShape;
