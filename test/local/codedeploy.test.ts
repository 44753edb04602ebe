import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CodeDeployService, createCodeDeployService } from '../../local/codedeploy';

describe('the local CodeDeploy', () => {
  let service: CodeDeployService;
  let server: http.Server;
  let client: CodeDeployClient;

  beforeAll(async () => {
    service = createCodeDeployService();
    server = http.createServer(service.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new CodeDeployClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('keeps the status a hook reports, and refuses a second report for the same execution', async () => {
    const input = {
      deploymentId: 'd-LOCAL1',
      lifecycleEventHookExecutionId: 'exec-1',
      status: 'Succeeded',
    } as const;

    const answer = await client.send(new PutLifecycleEventHookExecutionStatusCommand(input));

    expect(answer.lifecycleEventHookExecutionId).toBe('exec-1');
    expect(service.reports()).toEqual([expect.objectContaining(input)]);
    await expect(client.send(new PutLifecycleEventHookExecutionStatusCommand(input))).rejects.toMatchObject({
      name: 'LifecycleEventAlreadyCompletedException',
    });
  });

  it('refuses a report without a deployment id or with a status CodeDeploy does not know', async () => {
    await expect(
      client.send(
        new PutLifecycleEventHookExecutionStatusCommand({
          lifecycleEventHookExecutionId: 'exec-2',
          status: 'Failed',
        }),
      ),
    ).rejects.toMatchObject({ name: 'DeploymentIdRequiredException' });
    await expect(
      client.send(
        new PutLifecycleEventHookExecutionStatusCommand({
          deploymentId: 'd-LOCAL1',
          lifecycleEventHookExecutionId: 'exec-3',
          status: 'Great' as 'Failed',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidLifecycleEventHookExecutionStatusException' });
    expect(service.reports()).toHaveLength(1);
  });
});
