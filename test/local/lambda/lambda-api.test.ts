import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaFunctionError, type LocalFunction } from '../../../local/lambda';
import { createLambdaApi, parseFunctionName } from '../../../local/lambda/api';

describe('parseFunctionName', () => {
  it('reads a name, a partial ARN and a full ARN, each with or without a qualifier', () => {
    expect(parseFunctionName('fn')).toEqual({ name: 'fn' });
    expect(parseFunctionName('fn:live')).toEqual({ name: 'fn', qualifier: 'live' });
    expect(parseFunctionName('123456789012:function:fn:7')).toEqual({ name: 'fn', qualifier: '7' });
    expect(parseFunctionName('arn:aws:lambda:us-east-1:123456789012:function:fn')).toEqual({ name: 'fn' });
    expect(parseFunctionName('arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST')).toEqual({
      name: 'fn',
      qualifier: '$LATEST',
    });
  });
});

describe('the local Lambda Invoke API', () => {
  let server: http.Server;
  let client: LambdaClient;
  const events: unknown[] = [];
  const echo = {
    name: 'echo',
    invoke: async (event: unknown) => {
      events.push(event);
      return { echoed: event };
    },
  } as unknown as LocalFunction;
  const failing = {
    name: 'failing',
    invoke: async () => {
      throw new LambdaFunctionError({ name: 'ImageRejected', message: 'UNSUPPORTED_FORMAT: text' }, 'r-1');
    },
  } as unknown as LocalFunction;

  beforeAll(async () => {
    const functions = new Map([echo, failing].map((fn) => [fn.name, fn]));
    server = http.createServer(
      createLambdaApi({ mappings: [], functionNamed: (name) => functions.get(name) }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new LambdaClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('runs the function with the payload and answers its result, for a version ARN as the hooks invoke it', async () => {
    const response = await client.send(
      new InvokeCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:echo:3',
        Payload: Buffer.from(JSON.stringify({ hello: 'world' })),
      }),
    );

    expect(response.StatusCode).toBe(200);
    expect(response.FunctionError).toBeUndefined();
    expect(response.ExecutedVersion).toBe('3');
    expect(JSON.parse(Buffer.from(response.Payload ?? []).toString())).toEqual({
      echoed: { hello: 'world' },
    });
  });

  it('answers a function error as Lambda does: 200, X-Amz-Function-Error and the error as payload', async () => {
    const response = await client.send(new InvokeCommand({ FunctionName: 'failing:live' }));

    expect(response.StatusCode).toBe(200);
    expect(response.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(response.Payload ?? []).toString())).toMatchObject({
      errorType: 'ImageRejected',
      errorMessage: 'UNSUPPORTED_FORMAT: text',
    });
  });

  it('accepts an asynchronous invocation with 202 and a dry run with 204', async () => {
    const before = events.length;

    const event = await client.send(
      new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: Buffer.from('{"n":1}') }),
    );
    const dryRun = await client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }));

    expect(event.StatusCode).toBe(202);
    expect(dryRun.StatusCode).toBe(204);
    expect(events.slice(before)).toEqual([{ n: 1 }]);
  });

  it('refuses an unknown function with ResourceNotFoundException and a body that is not JSON with 400', async () => {
    await expect(client.send(new InvokeCommand({ FunctionName: 'nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{not json') })),
    ).rejects.toMatchObject({ name: 'InvalidRequestContentException' });
  });
});
