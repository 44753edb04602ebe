import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makePng, photo } from '../../support/images';
import { lambdaContext, stubHandlerEnv } from '../../support/lambda';
import { serveObject } from '../../support/s3-object';
import { claimedState } from '../../support/workflow';

stubHandlerEnv({});
const { handler } = await import('../../../functions/validate-image/handler');

const s3Mock = mockClient(S3Client);
const context = lambdaContext('validate-image');

beforeEach(() => {
  s3Mock.reset();
});

describe('validate-image handler', () => {
  it('returns the image metadata of a valid photo, read at the event version', async () => {
    const rocket = photo('rocket.jpg');
    serveObject(s3Mock, rocket, { contentType: 'image/jpeg' });

    const result = await handler(claimedState, context);

    expect(result).toEqual({
      format: 'jpeg',
      width: 640,
      height: 427,
      size: rocket.length,
      contentType: 'image/jpeg',
    });
    expect(s3Mock.commandCalls(HeadObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'uploads-bucket',
      Key: 'albums/summer 2024/dog.jpg',
      VersionId: 'v2',
    });
  });

  it('surfaces a rejection as an error named ImageRejected whose message leads with the reason', async () => {
    serveObject(s3Mock, makePng(79, 120));

    await expect(handler(claimedState, context)).rejects.toMatchObject({
      name: 'ImageRejected',
      reason: 'DIMENSIONS_TOO_SMALL',
      message: expect.stringMatching(/^DIMENSIONS_TOO_SMALL: /),
    });
  });

  it('rejects a file over 15 MiB after the HeadObject alone', async () => {
    serveObject(s3Mock, makePng(100, 100), { size: 15 * 1024 * 1024 + 1 });

    await expect(handler(claimedState, context)).rejects.toMatchObject({
      name: 'ImageRejected',
      reason: 'FILE_TOO_LARGE',
    });
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('lets other S3 errors through, for the state machine to fail on', async () => {
    s3Mock.on(HeadObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));

    await expect(handler(claimedState, context)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('rejects input that does not match the workflow schema as InvalidTaskInput', async () => {
    await expect(handler({ eventTime: 'x' }, context)).rejects.toMatchObject({ name: 'InvalidTaskInput' });
    expect(s3Mock.calls()).toHaveLength(0);
  });
});
