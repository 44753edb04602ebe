/**
 * The WorkflowStarter of functions/core/ingest.ts: StartSyncExecution of the label-image Express
 * workflow, which answers when the run has ended. A run that did not succeed is a
 * WorkflowFailedError naming the execution, its status, error and cause.
 */
import { type SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { WorkflowFailedError } from '../core/errors';
import { executionName, type WorkflowRun } from '../core/ingest';
import type { WorkflowInput } from '../core/workflow-schemas';

export async function runWorkflow(
  client: SFNClient,
  stateMachineArn: string,
  input: WorkflowInput,
): Promise<WorkflowRun> {
  const result = await client.send(
    new StartSyncExecutionCommand({
      stateMachineArn,
      name: executionName(input),
      input: JSON.stringify(input),
    }),
  );
  if (result.status !== 'SUCCEEDED') {
    throw new WorkflowFailedError(
      `Workflow ${result.executionArn ?? '(no ARN)'} ended ${result.status ?? 'UNKNOWN'}: ` +
        `${result.error ?? 'no error'}: ${result.cause ?? 'no cause'}`,
    );
  }
  let outcome: string | undefined;
  try {
    outcome = (JSON.parse(result.output ?? '{}') as { outcome?: string }).outcome;
  } catch {
    outcome = undefined;
  }
  return { status: 'SUCCEEDED', executionArn: result.executionArn ?? '', outcome };
}
