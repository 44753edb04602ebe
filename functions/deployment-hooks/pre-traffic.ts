/**
 * CodeDeploy BeforeAllowTraffic hook of one function's deployment group: invokes the NEW
 * version (TARGET_FUNCTION_ARN, set by CDK to the version being deployed) with the smoke event
 * of its plan and reports Succeeded or Failed, always (functions/core/deployment-hooks/).
 */
import { lambda } from '../adapters/clients/lambda';
import { s3 } from '../adapters/clients/s3';
import { lambdaInvoker } from '../adapters/deployment-hooks/lambda-invoker';
import { s3SmokeObjects } from '../adapters/deployment-hooks/s3-smoke-objects';
import { preTrafficChecks } from '../core/deployment-hooks/pre-traffic';
import { loadEnv } from '../shared/env';
import { logger } from '../shared/observability';
import { PRE_TRAFFIC_ENVIRONMENT } from './environment';
import { hookHandler } from './hook-handler';

const invoker = lambdaInvoker(lambda());

export const handler = hookHandler('Pre-traffic', async () => {
  // Read here, not at cold start: a bad environment is reported as Failed instead of
  // leaving the deployment waiting for a report that never comes.
  const env = loadEnv(PRE_TRAFFIC_ENVIRONMENT);
  logger.info('Smoke-testing the new version', {
    functionArn: env.TARGET_FUNCTION_ARN,
    plan: env.SMOKE_PLAN,
  });
  return preTrafficChecks(
    {
      invoker,
      smokeObjects: s3SmokeObjects(s3(), env.IMAGES_BUCKET_NAME),
      bucket: env.IMAGES_BUCKET_NAME,
      now: new Date(),
    },
    { plan: env.SMOKE_PLAN, functionArn: env.TARGET_FUNCTION_ARN },
  );
});
