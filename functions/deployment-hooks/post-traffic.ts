/**
 * CodeDeploy AfterAllowTraffic hook, shared by every function's deployment group: runs the
 * label-image workflow end to end on a valid and an invalid smoke image (expecting LABELED and
 * REJECTED) and reports Succeeded or Failed (always; see functions/core/deployment-hooks/hook.ts).
 */

import { s3 } from '../adapters/clients/s3';
import { sfn } from '../adapters/clients/sfn';
import { s3SmokeObjects } from '../adapters/deployment-hooks/s3-smoke-objects';
import { runWorkflow } from '../adapters/step-functions-runner';
import { postTrafficChecks } from '../core/deployment-hooks/post-traffic';
import { loadEnv } from '../shared/env';
import { POST_TRAFFIC_ENVIRONMENT } from './environment';
import { hookHandler } from './hook-handler';

export const handler = hookHandler('Post-traffic', async () => {
  // Read here, not at cold start: see pre-traffic.ts.
  const env = loadEnv(POST_TRAFFIC_ENVIRONMENT);
  return postTrafficChecks({
    runWorkflow: (input) => runWorkflow(sfn(), env.STATE_MACHINE_ARN, input),
    smokeObjects: s3SmokeObjects(s3(), env.IMAGES_BUCKET_NAME),
    now: new Date(),
  });
});
