/**
 * The CodeDeploy lifecycle hooks, as each deployment runs them (`npm run smoke`): a pre-traffic
 * hook per function, aimed at its version, and the post-traffic hook.
 */
import {
  DEPLOYMENT_HOOK_TIMEOUT_SECONDS,
  DEPLOYMENT_HOOKS_MEMORY_MB,
  FUNCTIONS,
  hookEnvironment,
} from '../../infra/config/functions';
import type { StageConfig } from '../../infra/config/stage-config';
import type { FunctionHost, FunctionSettings } from './functions';
import type { LocalNames } from './names';

export interface DeploymentHookNames {
  /** The pre-traffic hook's function name by target function (handlerDir). */
  preTraffic: Record<string, string>;
  postTraffic: string;
}

/** Starts the hooks; every function they aim at must have started already. */
export function registerDeploymentHooks(
  host: FunctionHost,
  config: StageConfig,
  names: LocalNames,
  stateMachineArn: string,
): DeploymentHookNames {
  const hookSettings = (
    entry: keyof typeof DEPLOYMENT_HOOK_TIMEOUT_SECONDS,
    environment: Record<string, string>,
  ): FunctionSettings => ({
    memoryMb: DEPLOYMENT_HOOKS_MEMORY_MB,
    timeoutSeconds: DEPLOYMENT_HOOK_TIMEOUT_SECONDS[entry],
    environment: { ...hookEnvironment(config), IMAGES_BUCKET_NAME: names.bucket, ...environment },
  });
  const preTraffic: Record<string, string> = {};
  for (const spec of Object.values(FUNCTIONS)) {
    const target = host.functions.get(`image-labeling-${config.stage}-${spec.handlerDir}`);
    if (!target) throw new Error(`no local function for ${spec.handlerDir}`);
    const hook = host.register(
      `image-labeling-${config.stage}-${spec.handlerDir}-pre-traffic`,
      'deployment-hooks/pre-traffic',
      hookSettings('pre-traffic', {
        // The version CodeDeploy deploys; locally there is one, numbered 1.
        TARGET_FUNCTION_ARN: target.arn('1'),
        SMOKE_PLAN: spec.smokePlan,
      }),
    );
    preTraffic[spec.handlerDir] = hook.name;
  }
  const postTraffic = host.register(
    `image-labeling-${config.stage}-post-traffic`,
    'deployment-hooks/post-traffic',
    hookSettings('post-traffic', { STATE_MACHINE_ARN: stateMachineArn }),
  );
  return { preTraffic, postTraffic: postTraffic.name };
}
