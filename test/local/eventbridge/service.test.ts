import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { imageEventBusName } from '../../../functions/core/image-events';
import { createEdgeRouter } from '../../../local/edge';
import { createEventBridgeService } from '../../../local/eventbridge';
import { createSqsService } from '../../../local/sqs';

const BUS = imageEventBusName('local');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eventbridge-service-test-'));
let dirs = 0;

/** SQS and EventBridge behind one edge port, as in the local cloud, with the real SDK clients. */
async function start(dataDir: string) {
  const logs: string[] = [];
  const sqs = createSqsService({ queues: [], dir: path.join(dataDir, 'sqs') });
  const events = createEventBridgeService({
    dir: path.join(dataDir, 'events'),
    region: 'us-east-1',
    accountId: '000000000000',
    eventBusNames: [BUS],
    findQueue: (arn) => sqs.queueByArn(arn),
    log: (line) => logs.push(line),
  });
  const server = http.createServer(createEdgeRouter({ sqs: sqs.handler, events: events.handler }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const settings = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const eventbridge = new EventBridgeClient(settings);
  const sqsClient = new SQSClient(settings);
  const stop = async () => {
    eventbridge.destroy();
    sqsClient.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    sqs.close();
  };
  return { eventbridge, sqs: sqsClient, logs, stop };
}

let cloud: Awaited<ReturnType<typeof start>>;
let dataDir: string;

beforeEach(async () => {
  dataDir = path.join(root, String(++dirs));
  cloud = await start(dataDir);
});
afterEach(() => cloud.stop());
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const labeled: PutEventsRequestEntry = {
  EventBusName: BUS,
  Source: 'image-labeling',
  DetailType: 'Image Labeled',
  Detail: JSON.stringify({
    key: 'cats/tom.png',
    status: 'LABELED',
    labels: [{ name: 'Cat', confidence: 99 }],
  }),
  Resources: ['arn:aws:s3:::image-labeling-local-images/cats/tom.png'],
};

/** A queue, a rule on the image bus with `pattern`, and the queue as the rule's target. */
async function subscribe(name: string, pattern: object, target: Record<string, unknown> = {}) {
  const { QueueUrl } = await cloud.sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { RuleArn } = await cloud.eventbridge.send(
    new PutRuleCommand({ Name: name, EventBusName: BUS, EventPattern: JSON.stringify(pattern) }),
  );
  await cloud.eventbridge.send(
    new PutTargetsCommand({
      Rule: name,
      EventBusName: BUS,
      Targets: [{ Id: 'queue', Arn: `arn:aws:sqs:us-east-1:000000000000:${name}`, ...target }],
    }),
  );
  return { QueueUrl: QueueUrl ?? '', RuleArn: RuleArn ?? '' };
}

/** Every message waiting in the queue (deleted as read). */
async function drain(QueueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await cloud.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }),
    );
    if (Messages.length === 0) return bodies;
    for (const message of Messages) {
      bodies.push(message.Body ?? '');
      await cloud.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}

describe('the local EventBridge', () => {
  it('delivers a matching event to the queue of a rule on the image bus, in the EventBridge envelope', async () => {
    const { QueueUrl, RuleArn } = await subscribe('labeled-images', {
      source: ['image-labeling'],
      'detail-type': ['Image Labeled'],
    });

    const answer = await cloud.eventbridge.send(new PutEventsCommand({ Entries: [labeled] }));
    const [body, ...more] = await drain(QueueUrl);

    expect(RuleArn).toBe(`arn:aws:events:us-east-1:000000000000:rule/${BUS}/labeled-images`);
    expect(answer.FailedEntryCount).toBe(0);
    expect(more).toEqual([]);
    expect(JSON.parse(body ?? '')).toEqual({
      version: '0',
      id: answer.Entries?.[0]?.EventId,
      'detail-type': 'Image Labeled',
      source: 'image-labeling',
      account: '000000000000',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: ['arn:aws:s3:::image-labeling-local-images/cats/tom.png'],
      detail: JSON.parse(labeled.Detail ?? ''),
    });
  });

  it('delivers nothing for an event the pattern does not match, or while the rule is disabled', async () => {
    const { QueueUrl } = await subscribe('failures', { 'detail-type': ['Image Failed'] });
    const { QueueUrl: all } = await subscribe('everything', { source: [{ prefix: 'image-' }] });

    await cloud.eventbridge.send(new PutEventsCommand({ Entries: [labeled] }));
    await cloud.eventbridge.send(new DisableRuleCommand({ Name: 'everything', EventBusName: BUS }));
    await cloud.eventbridge.send(new PutEventsCommand({ Entries: [labeled] }));
    await cloud.eventbridge.send(new EnableRuleCommand({ Name: 'everything', EventBusName: BUS }));
    await cloud.eventbridge.send(new PutEventsCommand({ Entries: [labeled] }));

    expect(await drain(QueueUrl)).toEqual([]);
    expect(await drain(all)).toHaveLength(2);
  });

  it('sends what an InputTransformer makes of the event', async () => {
    const { QueueUrl } = await subscribe(
      'readable',
      { source: ['image-labeling'] },
      {
        InputTransformer: {
          InputPathsMap: { key: '$.detail.key', label: '$.detail.labels[0].name' },
          InputTemplate: '"<key> is a <label> (rule <aws.events.rule-name>)"',
        },
      },
    );

    await cloud.eventbridge.send(new PutEventsCommand({ Entries: [labeled] }));

    expect(await drain(QueueUrl)).toEqual(['"cats/tom.png is a Cat (rule readable)"']);
  });

  it('answers PutEvents entry by entry: a bad detail or an unknown bus fails only its entry', async () => {
    const answer = await cloud.eventbridge.send(
      new PutEventsCommand({
        Entries: [
          labeled,
          { ...labeled, Detail: '[1, 2]' },
          { ...labeled, Detail: 'not json' },
          { ...labeled, DetailType: undefined },
          { ...labeled, EventBusName: 'no-such-bus' },
          { ...labeled, EventBusName: undefined },
        ],
      }),
    );

    expect(answer.FailedEntryCount).toBe(4);
    expect(answer.Entries).toEqual([
      { EventId: expect.any(String) },
      { ErrorCode: 'MalformedDetail', ErrorMessage: expect.stringContaining('JSON object') },
      { ErrorCode: 'MalformedDetail', ErrorMessage: expect.stringContaining('not JSON') },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: expect.stringContaining('DetailType is a required argument'),
      },
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus no-such-bus does not exist.' },
      { EventId: expect.any(String) },
    ]);
  });

  it('refuses more than 10 entries, or more than 256 KB, for the whole call', async () => {
    const eleven = Array.from({ length: 11 }, () => labeled);
    const big = { ...labeled, Detail: JSON.stringify({ text: 'x'.repeat(256 * 1024) }) };

    await expect(cloud.eventbridge.send(new PutEventsCommand({ Entries: eleven }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(cloud.eventbridge.send(new PutEventsCommand({ Entries: [big] }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('over the limit'),
    });
  });

  it('refuses an invalid pattern at PutRule and TestEventPattern with InvalidEventPatternException', async () => {
    const bad = JSON.stringify({ source: 'image-labeling' });

    await expect(
      cloud.eventbridge.send(new PutRuleCommand({ Name: 'bad', EventBusName: BUS, EventPattern: bad })),
    ).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
      message: expect.stringContaining('"source"'),
    });
    await expect(
      cloud.eventbridge.send(new TestEventPatternCommand({ EventPattern: bad, Event: '{}' })),
    ).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
  });

  it('tests a pattern against an event, which must have the envelope fields', async () => {
    const event = {
      id: '1',
      account: '000000000000',
      source: 'image-labeling',
      time: '2026-12-02T10:00:00Z',
      region: 'us-east-1',
      'detail-type': 'Image Rejected',
      detail: { reason: 'UNSUPPORTED_FORMAT' },
    };
    const test = (pattern: object, tested: object = event) =>
      cloud.eventbridge.send(
        new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(tested) }),
      );

    expect((await test({ 'detail-type': [{ 'anything-but': 'Image Labeled' }] })).Result).toBe(true);
    expect((await test({ detail: { reason: [{ prefix: 'TOO_' }] } })).Result).toBe(false);
    await expect(test({ source: ['x'] }, { source: 'x' })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('id, account'),
    });
  });

  it('describes, lists, and deletes rules (not while they have targets), with EventBridge errors', async () => {
    await subscribe('described', { source: ['image-labeling'] });

    const rule = await cloud.eventbridge.send(
      new DescribeRuleCommand({ Name: 'described', EventBusName: BUS }),
    );
    const listed = await cloud.eventbridge.send(
      new ListRulesCommand({ EventBusName: BUS, NamePrefix: 'desc' }),
    );
    const targets = await cloud.eventbridge.send(
      new ListTargetsByRuleCommand({ Rule: 'described', EventBusName: BUS }),
    );
    const withTargets = cloud.eventbridge.send(
      new DeleteRuleCommand({ Name: 'described', EventBusName: BUS }),
    );
    await expect(withTargets).rejects.toMatchObject({ name: 'ValidationException' });
    await cloud.eventbridge.send(
      new RemoveTargetsCommand({ Rule: 'described', EventBusName: BUS, Ids: ['queue'] }),
    );
    await cloud.eventbridge.send(new DeleteRuleCommand({ Name: 'described', EventBusName: BUS }));
    const gone = cloud.eventbridge.send(new DescribeRuleCommand({ Name: 'described', EventBusName: BUS }));

    expect(rule).toMatchObject({
      Name: 'described',
      State: 'ENABLED',
      EventBusName: BUS,
      EventPattern: '{"source":["image-labeling"]}',
    });
    expect(listed.Rules?.map((r) => r.Name)).toEqual(['described']);
    expect(targets.Targets).toEqual([{ Id: 'queue', Arn: 'arn:aws:sqs:us-east-1:000000000000:described' }]);
    await expect(gone).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Rule described does not exist on EventBus ${BUS}.`,
    });
  });

  it('knows the default bus and the image bus, and no other', async () => {
    const { EventBuses } = await cloud.eventbridge.send(new ListEventBusesCommand({}));
    const image = await cloud.eventbridge.send(new DescribeEventBusCommand({ Name: BUS }));

    expect(EventBuses?.map((bus) => bus.Name)).toEqual(['default', BUS]);
    expect(image.Arn).toBe(`arn:aws:events:us-east-1:000000000000:event-bus/${BUS}`);
    await expect(
      cloud.eventbridge.send(new DescribeEventBusCommand({ Name: 'other' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      cloud.eventbridge.send(
        new PutRuleCommand({ Name: 'r', EventBusName: 'other', EventPattern: '{"a":["b"]}' }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('refuses targets it cannot deliver to, and drops an event whose queue is gone, with a log line', async () => {
    await cloud.eventbridge.send(
      new PutRuleCommand({
        Name: 'targets',
        EventBusName: BUS,
        EventPattern: '{"source":["image-labeling"]}',
      }),
    );
    const answer = await cloud.eventbridge.send(
      new PutTargetsCommand({
        Rule: 'targets',
        EventBusName: BUS,
        Targets: [
          { Id: 'lambda', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:f' },
          { Id: 'missing-queue', Arn: 'arn:aws:sqs:us-east-1:000000000000:not-created' },
        ],
      }),
    );

    const sent = await cloud.eventbridge.send(new PutEventsCommand({ Entries: [labeled] }));

    expect(answer.FailedEntryCount).toBe(1);
    expect(answer.FailedEntries?.[0]).toMatchObject({ TargetId: 'lambda', ErrorCode: 'ValidationException' });
    expect(sent.FailedEntryCount).toBe(0);
    expect(cloud.logs).toEqual([
      expect.stringMatching(/target missing-queue: no queue .*not-created.* dropped/),
    ]);
  });

  it('keeps rules and targets across a restart of the service', async () => {
    const { QueueUrl } = await subscribe(
      'kept',
      { source: ['image-labeling'] },
      { InputPath: '$.detail.key' },
    );
    await cloud.stop();

    cloud = await start(dataDir);
    await cloud.eventbridge.send(new PutEventsCommand({ Entries: [labeled] }));

    expect(await drain(QueueUrl)).toEqual(['"cats/tom.png"']);
    expect(
      await cloud.eventbridge.send(new DescribeRuleCommand({ Name: 'kept', EventBusName: BUS })),
    ).toMatchObject({
      State: 'ENABLED',
    });
  });

  it('refuses to start from a damaged rules file, naming it', () => {
    const damaged = path.join(root, 'damaged');
    fs.mkdirSync(damaged);
    fs.writeFileSync(path.join(damaged, 'rules.json'), '{"version": 1, "rul');

    expect(() =>
      createEventBridgeService({
        dir: damaged,
        region: 'us-east-1',
        accountId: '000000000000',
        eventBusNames: [],
        findQueue: () => undefined,
      }),
    ).toThrow(/damaged\/rules\.json: the local EventBridge's rules cannot be read/);
  });
});
