/**
 * CodeDeploy BeforeAllowTraffic hook of one function's deployment group: invokes the NEW
 * version (TARGET_FUNCTION_ARN, set by CDK to the version being deployed) with the smoke event
 * of its plan and reports Succeeded or Failed, always (functions/domain/deployment-hooks.ts).
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { HookEventSchema, preTrafficChecks, runHook, SMOKE_PLANS } from '../domain/deployment-hooks';
import { codedeploy } from '../shared/clients/codedeploy';
import { lambda } from '../shared/clients/lambda';
import { s3 } from '../shared/clients/s3';
import { loadEnv, nonEmpty } from '../shared/env';
import { instrumented } from '../shared/middleware';
import { logger, MetricUnit, metrics } from '../shared/observability';

export const handler = instrumented(async (event: unknown, context: Context) => {
  const hookEvent = HookEventSchema.parse(event);
  const report = await runHook(
    codedeploy(),
    hookEvent,
    async () => {
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
    },
    context.getRemainingTimeInMillis() - 5_000,
  );
  metrics.addMetric(
    report.status === 'Succeeded' ? 'SmokeTestsPassed' : 'SmokeTestsFailed',
    MetricUnit.Count,
    1,
  );
  (report.status === 'Succeeded' ? logger.info : logger.error).call(logger, 'Pre-traffic hook reported', {
    deploymentId: hookEvent.DeploymentId,
    ...report,
  });
  return report;
});
