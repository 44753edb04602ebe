/** The variables the start-workflow function reads, validated at cold start; infra/config/functions.ts must set each (a type error otherwise). */
import { type EnvShape, nonEmpty } from '../shared/env';

export const START_WORKFLOW_ENVIRONMENT = {
  STATE_MACHINE_ARN: nonEmpty,
  LABELS_TABLE_NAME: nonEmpty,
  EVENT_BUS_NAME: nonEmpty,
} satisfies EnvShape;
