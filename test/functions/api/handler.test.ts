import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { lambdaContext, stubHandlerEnv } from '../../support/lambda';

stubHandlerEnv({
  EVENT_BUS_NAME: 'image-labeling-test',
  LABELS_TABLE_NAME: 'labels',
  IMAGES_BUCKET: 'images',
  CURSOR_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cursor',
  UPLOAD_URL_EXPIRES_SECONDS: '300',
  IMAGE_URL_EXPIRES_SECONDS: '300',
});
const { handler } = await import('../../../functions/api/handler');
const dbMock = mockClient(DynamoDBDocumentClient);
const secretsMock = mockClient(SecretsManagerClient);

const event = (cursor?: string): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: 'GET /images',
    rawPath: '/images',
    rawQueryString: '',
    headers: {},
    queryStringParameters: { label: 'cat', limit: '1', ...(cursor ? { cursor } : {}) },
    isBase64Encoded: false,
    requestContext: { http: { method: 'GET' } },
  }) as unknown as APIGatewayProxyEventV2;

describe('api handler', () => {
  it('signs cursors with the key from Secrets Manager, read once per environment', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: 's'.repeat(64) });
    const last = { pk: 'IMAGE#a', sk: 'LABEL#Cat', gsi1pk: 'LABEL#cat', gsi1sk: '090.000#h' };
    dbMock.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: last });
    const context = lambdaContext('api');

    const first = (await handler(event(), context)) as APIGatewayProxyStructuredResultV2;
    const { nextCursor } = JSON.parse(first.body ?? '{}') as { nextCursor: string };
    const second = (await handler(event(nextCursor), context)) as APIGatewayProxyStructuredResultV2;

    expect(second.statusCode).toBe(200);
    expect(dbMock.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual(last);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secretsMock.commandCalls(GetSecretValueCommand)[0]?.args[0].input.SecretId).toContain(
      ':secret:cursor',
    );
  });
});
