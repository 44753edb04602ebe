/**
 * Local CodeDeploy, as much of it as the deployment hooks need: PutLifecycleEventHookExecutionStatus,
 * whose reports are kept so that `npm run smoke` and the tests can see each hook's verdict.
 * A report for an execution id that already has one is refused, as CodeDeploy refuses it.
 */
import type http from 'node:http';

export interface HookExecutionReport {
  deploymentId: string;
  lifecycleEventHookExecutionId: string;
  status: string;
  receivedAt: string;
}

export interface CodeDeployService {
  handler: http.RequestListener;
  reports(): HookExecutionReport[];
}

const STATUSES = new Set(['Pending', 'InProgress', 'Succeeded', 'Failed', 'Skipped', 'Unknown']);

function send(response: http.ServerResponse, status: number, body: unknown, errorType?: string): void {
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(JSON.stringify(errorType ? { __type: errorType, message: body } : body));
}

export function createCodeDeployService(): CodeDeployService {
  const reports: HookExecutionReport[] = [];
  const handler: http.RequestListener = (request, response) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (operation !== 'PutLifecycleEventHookExecutionStatus') {
        send(
          response,
          400,
          `The local CodeDeploy serves only PutLifecycleEventHookExecutionStatus, not ${operation || 'this request'}.`,
          'UnknownOperationException',
        );
        return;
      }
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        send(response, 400, 'The request body is not JSON.', 'SerializationException');
        return;
      }
      const { deploymentId, lifecycleEventHookExecutionId, status } = input;
      if (typeof deploymentId !== 'string' || deploymentId.length === 0) {
        send(response, 400, 'The deployment ID must be specified.', 'DeploymentIdRequiredException');
        return;
      }
      if (typeof lifecycleEventHookExecutionId !== 'string' || lifecycleEventHookExecutionId.length === 0) {
        send(
          response,
          400,
          'The lifecycle event hook execution ID is not valid.',
          'InvalidLifecycleEventHookExecutionIdException',
        );
        return;
      }
      if (typeof status !== 'string' || !STATUSES.has(status)) {
        send(
          response,
          400,
          `The status ${String(status)} is not valid.`,
          'InvalidLifecycleEventHookExecutionStatusException',
        );
        return;
      }
      if (reports.some((report) => report.lifecycleEventHookExecutionId === lifecycleEventHookExecutionId)) {
        send(
          response,
          400,
          'The lifecycle event hook execution has already been reported.',
          'LifecycleEventAlreadyCompletedException',
        );
        return;
      }
      reports.push({
        deploymentId,
        lifecycleEventHookExecutionId,
        status,
        receivedAt: new Date().toISOString(),
      });
      send(response, 200, { lifecycleEventHookExecutionId });
    });
  };
  return { handler, reports: () => [...reports] };
}
