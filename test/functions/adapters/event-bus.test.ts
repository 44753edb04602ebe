import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { eventBusPublisher } from '../../../functions/adapters/event-bus';
import { buildImageEvent } from '../../../functions/core/image-events';

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
