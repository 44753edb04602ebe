import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaEventSourceMapping } from '../../../functions/adapters/lambda-event-source-mapping';
import {
  createEventSourceMappingApi,
  createManagedEventSourceMapping,
  type ManagedEventSourceMapping,
} from '../../../local/lambda/event-source-mappings';
import { createQueue, type Queue } from '../../../local/sqs';

/** The adapter against the local Lambda API's event source mapping (Get/UpdateEventSourceMapping). */
describe('lambdaEventSourceMapping', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'esm-adapter-'));
  let queue: Queue;
  let local: ManagedEventSourceMapping;
  let server: http.Server;
  let client: LambdaClient;

  beforeAll(async () => {
    queue = createQueue({ name: 'uploads', dir: root, visibilityTimeoutSeconds: 30, region: 'us-east-1' });
    local = createManagedEventSourceMapping({
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:start:live',
      enabled: true,
      queue,
      concurrency: 2,
      invoke: async () => ({ batchItemFailures: [] }),
    });
    server = http.createServer(createEventSourceMappingApi([local]));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new LambdaClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    client.destroy();
    await local.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    queue.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reads the state and the maximum concurrency', async () => {
    expect(await lambdaEventSourceMapping(client, local.uuid).read()).toEqual({
      state: 'Enabled',
      maxConcurrency: 2,
    });
  });

  it('disables the mapping and sets its concurrency in one update', async () => {
    const mapping = lambdaEventSourceMapping(client, local.uuid);

    await mapping.update({ enabled: false, maxConcurrency: 4 });

    expect(local.maxConcurrency()).toBe(4);
    expect(['Disabled', 'Disabling']).toContain(local.state());
    expect((await mapping.read()).maxConcurrency).toBe(4);
  });

  it('fails on a mapping that does not exist', async () => {
    await expect(lambdaEventSourceMapping(client, 'no-such-uuid').read()).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
