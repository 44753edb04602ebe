/**
 * CodeDeploy BeforeAllowTraffic hook of one function's deployment group: invokes the NEW
 * version (TARGET_FUNCTION_ARN, set by CDK to the version being deployed) with the smoke event
 * of its plan and reports Succeeded or Failed, always (functions/domain/deployment-hooks.ts).
 */
import * as z from 'zod';
import { lambda } from '../adapters/clients/lambda';
import { s3 } from '../adapters/clients/s3';
import { preTrafficChecks, SMOKE_PLANS } from '../domain/deployment-hooks';
import { loadEnv, nonEmpty } from '../shared/env';
import { logger } from '../shared/observability';
import { hookHandler } from './hook-handler';

export const handler = hookHandler('Pre-traffic', async () => {
  // Read here, not at cold start: a bad environment is reported as Failed instead of
  // leaving the deployment waiting for a report that never comes.
  const env = loadEnv({
    IMAGES_BUCKET_NAME: nonEmpty,
    TARGET_FUNCTION_ARN: nonEmpty,
    SMOKE_PLAN: z.enum(SMOKE_PLANS),
  });
  logger.info('Smoke-testing the new version', {
    functionArn: env.TARGET_FUNCTION_ARN,
    plan: env.SMOKE_PLAN,
  });
  return preTrafficChecks(
    { lambda: lambda(), s3: s3(), bucket: env.IMAGES_BUCKET_NAME, now: new Date() },
    { plan: env.SMOKE_PLAN, functionArn: env.TARGET_FUNCTION_ARN },
  );
});
