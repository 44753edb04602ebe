/** The variables the store-labels function reads, validated at cold start; infra/config/functions.ts must set each (a type error otherwise). */
import { type EnvShape, nonEmpty } from '../shared/env';

export const STORE_LABELS_ENVIRONMENT = {
  LABELS_TABLE_NAME: nonEmpty,
  EVENT_BUS_NAME: nonEmpty,
} satisfies EnvShape;
