/**
 * Runs the CodeDeploy lifecycle hooks against a running local cloud, as a deployment runs
 * them: every function's pre-traffic hook (each invokes its function's new version with its
 * smoke event), then the post-traffic hook (the whole workflow on a valid and an invalid smoke
 * image). Hooks are invoked through the local Lambda API, so this is what CodeDeploy would see.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { HookReport } from '../functions/core/deployment-hooks/hook';
import type { StackInfo } from './cloud';

export interface HookRun {
  hook: 'pre-traffic' | 'post-traffic';
  /** The function a pre-traffic hook tests (handlerDir); `workflow` for post-traffic. */
  target: string;
  functionName: string;
  report: HookReport;
}

/** What CodeDeploy sends a hook. */
function lifecycleEvent(deploymentId: string) {
  return { DeploymentId: deploymentId, LifecycleEventHookExecutionId: randomUUID() };
}

async function invokeHook(client: LambdaClient, functionName: string, event: unknown): Promise<HookReport> {
  const response = await client.send(
    new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  const text = Buffer.from(response.Payload ?? new Uint8Array()).toString('utf8');
  if (response.FunctionError) {
    // The hook could not even report: CodeDeploy would wait for its timeout, then fail.
    return { status: 'Failed', results: [], error: `the hook itself failed: ${text}` };
  }
  return JSON.parse(text) as HookReport;
}

const PRE_TRAFFIC_AT_ONCE = 2;

export async function runDeploymentHooks(
  info: Pick<StackInfo, 'region' | 'endpoints' | 'deploymentHooks'>,
): Promise<HookRun[]> {
  const client = new LambdaClient({
    region: info.region,
    endpoint: info.endpoints.aws,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const deploymentId = `d-LOCAL${randomBytes(4).toString('hex').toUpperCase()}`;
  try {
    // On AWS each function's deployment runs its hook on its own machines. Here every hook and
    // the function it tests start cold on the same cores, each within Lambda's 10 s init limit:
    // two at a time keeps a busy machine (a parallel test run) from timing them out.
    const pre: HookRun[] = [];
    const targets = Object.entries(info.deploymentHooks.preTraffic);
    for (let at = 0; at < targets.length; at += PRE_TRAFFIC_AT_ONCE) {
      const runs = targets.slice(at, at + PRE_TRAFFIC_AT_ONCE).map(async ([target, functionName]) => ({
        hook: 'pre-traffic' as const,
        target,
        functionName,
        report: await invokeHook(client, functionName, lifecycleEvent(deploymentId)),
      }));
      pre.push(...(await Promise.all(runs)));
    }
    const functionName = info.deploymentHooks.postTraffic;
    const post: HookRun = {
      hook: 'post-traffic',
      target: 'workflow',
      functionName,
      report: await invokeHook(client, functionName, lifecycleEvent(deploymentId)),
    };
    return [...pre, post];
  } finally {
    client.destroy();
  }
}
