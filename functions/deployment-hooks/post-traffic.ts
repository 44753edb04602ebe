/**
 * CodeDeploy AfterAllowTraffic hook, shared by every function's deployment group: runs the
 * label-image workflow end to end on a valid and an invalid smoke image (expecting LABELED and
 * REJECTED) and reports Succeeded or Failed (always; see functions/domain/deployment-hooks.ts).
 */
import type { Context } from 'aws-lambda';
import { HookEventSchema, postTrafficChecks, runHook } from '../domain/deployment-hooks';
import { codedeploy } from '../shared/clients/codedeploy';
import { s3 } from '../shared/clients/s3';
import { sfn } from '../shared/clients/sfn';
import { loadEnv, nonEmpty } from '../shared/env';
import { instrumented } from '../shared/middleware';
import { logger, MetricUnit, metrics } from '../shared/observability';

export const handler = instrumented(async (event: unknown, context: Context) => {
  const hookEvent = HookEventSchema.parse(event);
  const report = await runHook(
    codedeploy(),
    hookEvent,
    async () => {
      const env = loadEnv({ IMAGES_BUCKET_NAME: nonEmpty, STATE_MACHINE_ARN: nonEmpty });
      return postTrafficChecks({
        sfn: sfn(),
        s3: s3(),
        bucket: env.IMAGES_BUCKET_NAME,
        stateMachineArn: env.STATE_MACHINE_ARN,
        now: new Date(),
      });
    },
    context.getRemainingTimeInMillis() - 5_000,
  );
  metrics.addMetric(
    report.status === 'Succeeded' ? 'SmokeTestsPassed' : 'SmokeTestsFailed',
    MetricUnit.Count,
    1,
  );
  (report.status === 'Succeeded' ? logger.info : logger.error).call(logger, 'Post-traffic hook reported', {
    deploymentId: hookEvent.DeploymentId,
    ...report,
  });
  return report;
});
