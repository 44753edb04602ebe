import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  GetEventSourceMappingCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEventSourceMappingApi,
  createManagedEventSourceMapping,
  type ManagedEventSourceMapping,
} from '../../../local/lambda/event-source-mappings';
import { createQueue, type Queue } from '../../../local/sqs';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(20);
  }
  throw new Error(`Timed out waiting for ${what}`);
}

describe('the local Lambda API for the event source mapping', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'esm-api-'));
  let queue: Queue;
  let mapping: ManagedEventSourceMapping;
  let server: http.Server;
  let client: LambdaClient;
  const delivered: string[] = [];

  beforeAll(async () => {
    queue = createQueue({ name: 'uploads', dir: root, visibilityTimeoutSeconds: 30, region: 'us-east-1' });
    mapping = createManagedEventSourceMapping({
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:start:live',
      enabled: false,
      queue,
      concurrency: 2,
      invoke: async (event: SQSEvent) => {
        delivered.push(...event.Records.map((record) => record.body));
        return { batchItemFailures: [] };
      },
    });
    server = http.createServer(createEventSourceMappingApi([mapping]));
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
    await mapping.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    queue.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('while disabled receives nothing: messages wait with their receive count untouched', async () => {
    queue.sendMessage('while-disabled');
    const state = await client.send(new GetEventSourceMappingCommand({ UUID: mapping.uuid }));
    expect(state).toMatchObject({
      UUID: mapping.uuid,
      State: 'Disabled',
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(delivered).toEqual([]);
    expect(queue.counts()).toMatchObject({ visible: 1, inFlight: 0 });
  });

  it('UpdateEventSourceMapping Enabled: true starts polling and the waiting message is delivered', async () => {
    const answer = await client.send(
      new UpdateEventSourceMappingCommand({ UUID: mapping.uuid, Enabled: true }),
    );
    expect(answer.State).toBe('Enabling');
    await until('the delivery', () => delivered.includes('while-disabled'));
    expect((await client.send(new GetEventSourceMappingCommand({ UUID: mapping.uuid }))).State).toBe(
      'Enabled',
    );
  });

  it('sets the maximum concurrency and disables again', async () => {
    await client.send(
      new UpdateEventSourceMappingCommand({
        UUID: mapping.uuid,
        Enabled: false,
        ScalingConfig: { MaximumConcurrency: 4 },
      }),
    );
    await until('the mapping to be disabled', () => mapping.state() === 'Disabled');
    expect(mapping.maxConcurrency()).toBe(4);
    // Disabled means the pollers have stopped: a new message is not received by anyone.
    queue.sendMessage('after-disable');
    expect(queue.counts()).toMatchObject({ visible: 1, inFlight: 0 });
    expect(delivered).not.toContain('after-disable');
  });

  it('answers ResourceNotFoundException for another UUID and refuses a concurrency out of range', async () => {
    await expect(client.send(new GetEventSourceMappingCommand({ UUID: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      client.send(
        new UpdateEventSourceMappingCommand({ UUID: mapping.uuid, ScalingConfig: { MaximumConcurrency: 1 } }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
  });
});
