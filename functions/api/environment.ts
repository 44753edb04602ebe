/** The variables the api function reads, validated at cold start; infra/config/functions.ts must set each (a type error otherwise). */
import { type EnvShape, intFromEnv, nonEmpty } from '../shared/env';

export const LABELS_API_ENVIRONMENT = {
  LABELS_TABLE_NAME: nonEmpty,
  IMAGES_BUCKET: nonEmpty,
  CURSOR_SECRET_ID: nonEmpty,
  UPLOAD_URL_EXPIRES_SECONDS: intFromEnv(60, 3600),
  IMAGE_URL_EXPIRES_SECONDS: intFromEnv(120, 3600),
  EVENT_BUS_NAME: nonEmpty,
} satisfies EnvShape;
