import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventBusPublisher } from '../../../functions/adapters/event-bus';
import { buildImageEvent } from '../../../functions/core/image-events';
import { createEventBridgeService } from '../../../local/eventbridge';

const client = new EventBridgeClient({ region: 'eu-west-1' });
// This client only: a mock of EventBridgeClient's prototype outlives the file in the shared unit
// worker and would answer other files' clients.
const eventsMock = mockClient(client);
const bus = eventBusPublisher(() => client, 'image-labeling-test', { backoffMs: () => 0 });

const event = (key: string) =>
  buildImageEvent({
    bucket: 'images',
    key,
    objectVersion: 'v1',
    status: 'DELETED',
    occurredAt: '2026-12-02T10:00:00.000Z',
  });
const entries = () =>
  eventsMock.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);

beforeEach(() => {
  eventsMock.reset();
});

describe('eventBusPublisher', () => {
  it('puts each event on the bus as an entry with its source, detail type, JSON detail and bucket', async () => {
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });

    await bus.publish([event('a.jpg')]);

    expect(entries()).toEqual([
      [
        {
          EventBusName: 'image-labeling-test',
          Source: 'image-labeling',
          DetailType: 'Image Deleted',
          Detail: JSON.stringify(event('a.jpg').detail),
          Resources: ['arn:aws:s3:::images'],
        },
      ],
    ]);
  });

  it('takes the client itself as well as a function that builds it', async () => {
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });

    await eventBusPublisher(client, 'image-labeling-test').publish([event('b.jpg')]);

    expect(entries()).toHaveLength(1);
    expect(entries()[0]?.[0]?.Detail).toBe(JSON.stringify(event('b.jpg').detail));
  });

  it('sends at most ten entries per call', async () => {
    eventsMock.on(PutEventsCommand).callsFake(async (input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, i) => ({ EventId: String(i) })),
    }));

    await bus.publish(Array.from({ length: 23 }, (_, i) => event(`${i}.jpg`)));

    expect(entries().map((batch) => batch.length)).toEqual([10, 10, 3]);
  });

  it('sends again only the entries EventBridge failed', async () => {
    eventsMock
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: '1' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: '2' }] });

    await bus.publish([event('a.jpg'), event('b.jpg')]);

    expect(entries().map((batch) => batch.map((entry) => JSON.parse(entry.Detail ?? '{}').key))).toEqual([
      ['a.jpg', 'b.jpg'],
      ['b.jpg'],
    ]);
  });

  it('fails with ImageEventsUnavailable when entries still fail after its retries', async () => {
    eventsMock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }],
    });

    await expect(bus.publish([event('a.jpg')])).rejects.toMatchObject({
      name: 'ImageEventsUnavailable',
      message: expect.stringContaining('ThrottlingException: slow down'),
    });
    expect(entries()).toHaveLength(4);
  });

  it('fails with ImageEventsUnavailable when the call itself fails', async () => {
    eventsMock
      .on(PutEventsCommand)
      .rejects(new Error('getaddrinfo ENOTFOUND events.eu-west-1.amazonaws.com'));

    await expect(bus.publish([event('a.jpg')])).rejects.toMatchObject({ name: 'ImageEventsUnavailable' });
  });
});

/**
 * The same adapter against the local EventBridge, with a rule sending the bus's image events to a
 * recording queue. The local bus fails all of a call's entries or none (one bus per call), so the
 * partial failures above stay on the mock.
 */
describe('eventBusPublisher on the local EventBridge', () => {
  const delivered: unknown[] = [];
  const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:image-events';
  let local: { client: EventBridgeClient; close(): Promise<void> };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-bus-'));
    const service = createEventBridgeService({
      dir,
      region: 'eu-west-1',
      accountId: '123456789012',
      eventBusNames: ['image-labeling-test'],
      findQueue: (arn) =>
        arn === queueArn ? { sendMessage: (body) => delivered.push(JSON.parse(body)) } : undefined,
    });
    const server = http.createServer(service.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const localClient = new EventBridgeClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await localClient.send(
      new PutRuleCommand({
        Name: 'all-image-events',
        EventBusName: 'image-labeling-test',
        EventPattern: JSON.stringify({ source: ['image-labeling'] }),
      }),
    );
    await localClient.send(
      new PutTargetsCommand({
        Rule: 'all-image-events',
        EventBusName: 'image-labeling-test',
        Targets: [{ Id: 'queue', Arn: queueArn }],
      }),
    );
    local = {
      client: localClient,
      close: async () => {
        localClient.destroy();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });

  afterAll(async () => {
    await local.close();
  });

  beforeEach(() => {
    delivered.length = 0;
  });

  it('delivers every event of a batch of 12 (two PutEvents calls) with its detail', async () => {
    const keys = Array.from({ length: 12 }, (_, index) => `photo-${index}.jpg`);

    await eventBusPublisher(() => local.client, 'image-labeling-test', { backoffMs: () => 0 }).publish(
      keys.map(event),
    );

    expect(delivered).toHaveLength(12);
    expect(delivered).toEqual(
      keys.map((key) =>
        expect.objectContaining({
          source: 'image-labeling',
          'detail-type': 'Image Deleted',
          detail: event(key).detail,
          resources: ['arn:aws:s3:::images'],
        }),
      ),
    );
  });

  it('throws ImageEventsUnavailable when the bus keeps rejecting the entries', async () => {
    const missingBus = eventBusPublisher(() => local.client, 'no-such-bus', { backoffMs: () => 0 });

    await expect(missingBus.publish([event('a.jpg')])).rejects.toMatchObject({
      name: 'ImageEventsUnavailable',
    });
    expect(delivered).toEqual([]);
  });
});
