/** The hooks' verdict, sent to CodeDeploy with PutLifecycleEventHookExecutionStatus. */
import {
  type CodeDeployClient,
  PutLifecycleEventHookExecutionStatusCommand,
} from '@aws-sdk/client-codedeploy';
import type { HookReporter } from '../../core/deployment-hooks/hook';

export function codeDeployHookReporter(client: CodeDeployClient): HookReporter {
  return {
    async report(event, status) {
      await client.send(
        new PutLifecycleEventHookExecutionStatusCommand({
          deploymentId: event.DeploymentId,
          lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
          status,
        }),
      );
    },
  };
}
