import { describe, expect, it, vi } from 'vitest';
import { MalformedEventError, WorkflowFailedError } from '../../../functions/core/errors';
import {
  createBatchRunner,
  executionName,
  parseQueueMessage,
  type WorkflowRun,
} from '../../../functions/core/ingest';
import type { WorkflowInput } from '../../../functions/core/workflow-schemas';
import { S3_TEST_EVENT_BODY, s3EventBody, s3EventRecord } from '../../support/s3-events';

const input: WorkflowInput = {
  object: {
    bucket: 'uploads-bucket',
    key: 'albums/summer 2024/dog + cat.jpg',
    versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
    eTag: '0123456789abcdef0123456789abcdef',
    size: 112_525,
    sequencer: '0055AED6DCD90281E5',
  },
  eventTime: '2024-06-01T12:00:00.123Z',
};

function malformed(body: string): MalformedEventError {
  try {
    parseQueueMessage(body);
  } catch (error) {
    if (error instanceof MalformedEventError) return error;
    throw error;
  }
  throw new Error('expected a MalformedEventError');
}

describe('parseQueueMessage', () => {
  it('turns an S3 ObjectCreated notification into a workflow input with the decoded key', () => {
    const parsed = parseQueueMessage(s3EventBody());

    expect(parsed).toEqual({ kind: 'events', events: [{ kind: 'created', input }] });
  });

  it('decodes unicode keys and strips quotes from the ETag', () => {
    const parsed = parseQueueMessage(
      s3EventBody(s3EventRecord({ key: 'caf%C3%A9/%E7%8C%AB.png', eTag: '"abc123"' })),
    );

    expect(parsed).toMatchObject({
      kind: 'events',
      events: [{ kind: 'created', input: { object: { key: 'café/猫.png', eTag: 'abc123' } } }],
    });
  });

  it('drops the versionId "null" of an object written before versioning', () => {
    const parsed = parseQueueMessage(s3EventBody(s3EventRecord({ versionId: 'null' })));

    expect(parsed.kind).toBe('events');
    const event = parsed.kind === 'events' ? parsed.events[0] : undefined;
    expect(event?.kind).toBe('created');
    expect(event?.kind === 'created' ? event.input.object : undefined).not.toHaveProperty('versionId');
  });

  it('handles an unversioned bucket and a missing sequencer', () => {
    const record = s3EventRecord({ versionId: null });
    const { sequencer: _unused, ...objectWithoutSequencer } = record.s3.object;
    const body = JSON.stringify({
      Records: [{ ...record, s3: { ...record.s3, object: objectWithoutSequencer } }],
    });

    const parsed = parseQueueMessage(body);

    expect(parsed).toMatchObject({ events: [{ kind: 'created', input: { object: { sequencer: '0' } } }] });
    const event = parsed.kind === 'events' ? parsed.events[0] : undefined;
    expect(event?.kind === 'created' ? event.input.object : undefined).not.toHaveProperty('versionId');
  });

  it('recognises the s3:TestEvent', () => {
    expect(parseQueueMessage(S3_TEST_EVENT_BODY)).toEqual({ kind: 'test-event' });
  });

  it('turns ObjectRemoved events into removals of the decoded key', () => {
    const parsed = parseQueueMessage(
      s3EventBody(s3EventRecord({ eventName: 'ObjectRemoved:Delete', key: 'old+photo.jpg' })),
    );

    expect(parsed).toMatchObject({
      kind: 'events',
      events: [{ kind: 'removed', removal: { eventName: 'ObjectRemoved:Delete', key: 'old photo.jpg' } }],
    });
  });

  it('keeps every record of a multi-record message', () => {
    const parsed = parseQueueMessage(
      s3EventBody(
        s3EventRecord({ key: 'a.jpg' }),
        s3EventRecord({ key: 'b.jpg', eventName: 'ObjectCreated:Copy' }),
      ),
    );

    expect(parsed.kind === 'events' ? parsed.events.map((event) => event.kind) : []).toEqual([
      'created',
      'created',
    ]);
  });

  it('rejects a body that is not JSON as MalformedEvent', () => {
    const error = malformed('this is not json {');

    expect(error.name).toBe('MalformedEvent');
    expect(error.message).toContain('not JSON');
  });

  it.each([
    ['an SNS envelope', JSON.stringify({ Type: 'Notification', Message: '{}' })],
    ['an empty Records list', JSON.stringify({ Records: [] })],
    ['another service', JSON.stringify({ Records: [{ ...s3EventRecord(), eventSource: 'aws:sqs' }] })],
    ['a JSON array', '[]'],
  ])('rejects %s as MalformedEvent', (_case, body) => {
    expect(malformed(body).message).toContain('not an S3 event notification');
  });

  it('rejects a created event without an eTag', () => {
    const record = s3EventRecord();
    const { eTag: _unused, ...objectWithoutETag } = record.s3.object;

    const error = malformed(
      JSON.stringify({ Records: [{ ...record, s3: { ...record.s3, object: objectWithoutETag } }] }),
    );

    expect(error.message).toContain('has no eTag');
  });

  it('rejects a key that is not valid form encoding', () => {
    expect(malformed(s3EventBody(s3EventRecord({ key: 'bad%E0%A4%A.jpg' }))).message).toContain(
      'not valid form encoding',
    );
  });
});

describe('executionName', () => {
  it('is at most 80 characters of the allowed set, even for a 1024-byte unicode key', () => {
    const names = [
      executionName(input),
      executionName({ ...input, object: { ...input.object, key: '猫/'.repeat(300) } }),
      executionName({ ...input, object: { ...input.object, key: 'x'.repeat(1024), versionId: undefined } }),
    ];

    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(80);
      expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    }
  });

  it('starts with the same hash for the same version and differs per version', () => {
    const prefix = (name: string) => name.slice(0, 32);

    const first = executionName(input);
    const again = executionName(input);
    const other = executionName({ ...input, object: { ...input.object, versionId: 'another' } });

    expect(first).not.toBe(again);
    expect(prefix(first)).toBe(prefix(again));
    expect(prefix(other)).not.toBe(prefix(first));
  });
});

describe('createBatchRunner', () => {
  const succeeded: WorkflowRun = { status: 'SUCCEEDED', executionArn: 'arn', outcome: 'LABELED' };

  it('runs one workflow for duplicate events of the same version, sharing its result', async () => {
    const run = vi.fn(async (_input: WorkflowInput) => succeeded);
    const runner = createBatchRunner(run);

    const results = await Promise.all([runner(input), runner({ ...input }), runner(structuredClone(input))]);

    expect(run).toHaveBeenCalledTimes(1);
    expect(results).toEqual([succeeded, succeeded, succeeded]);
  });

  it('runs each distinct version and key once', async () => {
    const run = vi.fn(async (_input: WorkflowInput) => succeeded);
    const runner = createBatchRunner(run);

    await runner(input);
    await runner({ ...input, object: { ...input.object, versionId: 'v2' } });
    await runner({ ...input, object: { ...input.object, key: 'other.jpg' } });
    await runner(input);

    expect(run).toHaveBeenCalledTimes(3);
  });

  it('shares a failure with every duplicate', async () => {
    const failure = new WorkflowFailedError('boom');
    const run = vi.fn(async (_input: WorkflowInput): Promise<WorkflowRun> => {
      throw failure;
    });
    const runner = createBatchRunner(run);

    const results = await Promise.allSettled([runner(input), runner(input)]);

    expect(run).toHaveBeenCalledTimes(1);
    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
  });
});
