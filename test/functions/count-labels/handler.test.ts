/**
 * count-labels as Lambda invokes it: a tumbling window's batches only grow the state it hands
 * back; the final invocation writes the sums and hands back a fresh state; a malformed event is
 * refused. DynamoDB is mocked (the ledger's conditions run for real in
 * test/functions/adapters/dynamodb/label-counts.test.ts).
 */
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext, stubHandlerEnv } from '../../support/lambda';
import { countWindowEvent, imageStreamRecord } from '../../support/stream-events';

stubHandlerEnv({ LABELS_TABLE_NAME: 'labels-table' });
const { handler } = await import('../../../functions/count-labels/handler');

const dbMock = mockClient(DynamoDBDocumentClient);
const context = lambdaContext('count-labels');

const imageRecord = (sequence: string, names: string[]) =>
  imageStreamRecord(sequence, 'INSERT', { new: names });
const event = (records: unknown[], state: unknown, isFinal: boolean) => ({
  ...countWindowEvent(records, state, isFinal),
  shardId: 'shardId-00000001',
});

beforeEach(() => {
  dbMock.reset();
});

describe('count-labels handler', () => {
  it("opens a window on the shard's slot and returns the batch's sums as its state, writing nothing", async () => {
    dbMock.on(QueryCommand).resolves({
      Items: [{ slot: 0, owner: 'shardId-00000001', leaseUntil: 2e9, seq: 4, appliedUpTo: '10' }],
    });

    const result = await handler(event([imageRecord('11', ['Dog', 'Beach'])], {}, false), context);

    expect(result).toEqual({
      state: { slot: 0, floor: '10', lastSeq: '11', deltas: { dog: ['Dog', 1], beach: ['Beach', 1] } },
    });
    expect(dbMock.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'labels-table',
      ExpressionAttributeValues: { ':pk': 'LABELS', ':prefix': 'SLOT#' },
      ConsistentRead: true,
    });
    expect(dbMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('writes the sums on the final invocation: the journal, one ADD per label, the close', async () => {
    dbMock
      .on(GetCommand)
      .resolves({ Item: { slot: 0, owner: 'shardId-00000001', leaseUntil: 2e9, seq: 4, appliedUpTo: '10' } });
    dbMock.on(UpdateCommand).resolves({});
    const state = { slot: 0, floor: '10', lastSeq: '11', deltas: { dog: ['Dog', 1], beach: ['Beach', -1] } };

    const result = await handler(event([], state, true), context);

    expect(result).toEqual({ state: {} });
    const updates = dbMock.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(updates.map((input) => input.Key)).toEqual([
      { pk: 'LABELS', sk: 'SLOT#0000' },
      { pk: 'LABELS', sk: 'LABEL#dog' },
      { pk: 'LABELS', sk: 'LABEL#beach' },
      { pk: 'LABELS', sk: 'SLOT#0000' },
    ]);
    expect(updates[0]).toMatchObject({
      ConditionExpression: '#owner = :owner AND attribute_not_exists(intent) AND seq = :previousSeq',
      ExpressionAttributeValues: { ':seq': 5, ':previousSeq': 4, ':owner': 'shardId-00000001' },
    });
    expect(updates[1]).toMatchObject({
      UpdateExpression: 'SET #mark = :seq, #name = :name ADD imageCount :delta',
      ExpressionAttributeNames: { '#mark': 'w0', '#name': 'name' },
      ExpressionAttributeValues: { ':seq': 5, ':delta': 1, ':name': 'Dog' },
    });
    expect(updates[2]).toMatchObject({ ExpressionAttributeValues: { ':seq': 5, ':delta': -1 } });
    expect(updates[3]).toMatchObject({ ExpressionAttributeValues: { ':upTo': '11', ':seq': 5 } });
  });

  it('refuses an event that is not a tumbling window of a stream (MalformedEvent)', async () => {
    await expect(handler({ Records: [imageRecord('1', ['Dog'])] }, context)).rejects.toMatchObject({
      name: 'MalformedEvent',
    });
  });
});
