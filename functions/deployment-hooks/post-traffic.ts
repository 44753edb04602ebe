/**
 * CodeDeploy AfterAllowTraffic hook, shared by every function's deployment group: runs the
 * label-image workflow end to end on a valid and an invalid smoke image (expecting LABELED and
 * REJECTED) and reports Succeeded or Failed (always; see functions/domain/deployment-hooks.ts).
 */

import { s3 } from '../adapters/clients/s3';
import { sfn } from '../adapters/clients/sfn';
import { postTrafficChecks } from '../domain/deployment-hooks';
import { loadEnv, nonEmpty } from '../shared/env';
import { hookHandler } from './hook-handler';

export const handler = hookHandler('Post-traffic', async () => {
  const env = loadEnv({ IMAGES_BUCKET_NAME: nonEmpty, STATE_MACHINE_ARN: nonEmpty });
  return postTrafficChecks({
    sfn: sfn(),
    s3: s3(),
    bucket: env.IMAGES_BUCKET_NAME,
    stateMachineArn: env.STATE_MACHINE_ARN,
    now: new Date(),
  });
});
