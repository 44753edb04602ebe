/**
 * A minimal, read-only labels API for the local cloud until the API issue lands:
 * `GET /images/<url-encoded key>` returns the image's record (status, labels, metadata) and
 * `GET /health` answers 200. Errors are application/problem+json.
 */
import type http from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { IMAGE_SK, imagePk } from '../functions/domain/labels-table';

export interface LocalApiOptions {
  client: DynamoDBClient;
  tableName: string;
  bucket: string;
}

function send(response: http.ServerResponse, status: number, body: unknown, type = 'application/json') {
  response.writeHead(status, { 'content-type': type });
  response.end(JSON.stringify(body));
}

function problem(response: http.ServerResponse, status: number, title: string, detail: string) {
  send(
    response,
    status,
    { type: `about:blank#${status}`, title, status, detail },
    'application/problem+json',
  );
}

export function createLocalApi({ client, tableName }: LocalApiOptions): http.RequestListener {
  const db = DynamoDBDocumentClient.from(client);
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && url.pathname === '/health') {
      send(response, 200, { status: 'ok' });
      return;
    }
    const match = /^\/images\/(.+)$/.exec(url.pathname);
    if (request.method !== 'GET' || !match?.[1]) {
      problem(response, 404, 'Not Found', `No route for ${request.method} ${url.pathname}.`);
      return;
    }
    let key: string;
    try {
      key = decodeURIComponent(match[1]);
    } catch {
      problem(response, 400, 'Bad Request', 'The image key is not valid percent-encoding.');
      return;
    }
    db.send(new GetCommand({ TableName: tableName, Key: { pk: imagePk(key), sk: IMAGE_SK } }))
      .then(({ Item }) => {
        if (!Item) {
          problem(response, 404, 'Not Found', `No record for image "${key}" (yet).`);
          return;
        }
        const { pk: _pk, sk: _sk, labelNames: _names, ...image } = Item;
        send(response, 200, image);
      })
      .catch((error: unknown) => {
        problem(response, 500, 'Internal Server Error', error instanceof Error ? error.name : 'Error');
      });
  };
}
