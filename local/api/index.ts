/**
 * The local labels API: a node:http server that does what API Gateway's HTTP API does in
 * front of the API function. It matches the routes CDK creates (functions/core/api/
 * route-table.ts), answers CORS as the HTTP API's corsPreflight (API_CORS) for the given
 * origins, enforces the JWT authorizer (signature, issuer, expiry, client ids, route scopes)
 * against the local issuer (local/auth), builds an APIGatewayProxyEventV2 (payload 2.0, with
 * percent-decoded path parameters as API Gateway passes them) and invokes the REAL handler in
 * a local Lambda worker.
 * Gateway-made answers (401, 403, 404 for no route, 413, 500 for a crashed function) have
 * API Gateway's `{"message": ...}` shape; everything else comes from the function.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { problemResponse } from '../../functions/adapters/api/http';
import { ApiProblem } from '../../functions/core/api/problems';
import { matchRoute, routeKey } from '../../functions/core/api/route-table';
import { API_CORS } from '../../infra/config/console';
import type { LocalIssuer } from '../auth';
import { readBody } from '../http-body';
import type { LocalFunction } from '../lambda';

export { LOCAL_CLIENT_ID, type LocalIssuer, localIssuer } from '../auth';
export { createSecretsManagerService, type LocalSecret, persistentSecret } from './secrets';

export interface LocalApiOptions {
  fn: Pick<LocalFunction, 'invoke'>;
  issuer: LocalIssuer;
  corsOrigins: readonly string[];
  accountId: string;
  /** API Gateway's payload limit for HTTP APIs is 10 MB. */
  maxBodyBytes?: number;
}

type Result = APIGatewayProxyStructuredResultV2;

function send(response: http.ServerResponse, result: Result, cors: Record<string, string>) {
  const headers: Record<string, string> = { ...cors };
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  const body =
    result.body === undefined
      ? undefined
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  if (body && !headers['content-type']) headers['content-type'] = 'application/json';
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}

const gatewayError = (statusCode: number, message: string, extra: Record<string, string> = {}): Result => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...extra },
  body: JSON.stringify({ message }),
});

/** API Gateway's queryStringParameters: decoded, a repeated name comma-joined. */
function queryParameters(search: URLSearchParams): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [name, value] of search) out[name] = name in out ? `${out[name]},${value}` : value;
  return Object.keys(out).length > 0 ? out : undefined;
}

function isTextual(contentType: string | undefined): boolean {
  return (
    !contentType || /^(text\/|application\/(json|problem\+json|x-www-form-urlencoded|xml))/i.test(contentType)
  );
}

const isPreflight = (request: http.IncomingMessage) =>
  request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;

// API Gateway's CORS (API_CORS, the HTTP API's corsPreflight): an allowed origin gets
// CORS headers on the preflight and on the actual response; any other origin gets none.
function corsFor(corsOrigins: readonly string[], request: http.IncomingMessage): Record<string, string> {
  const origin = request.headers.origin;
  const anyOrigin = corsOrigins.includes('*');
  if (!origin || !(anyOrigin || corsOrigins.includes(origin))) return {};
  const headers: Record<string, string> = {
    'access-control-allow-origin': anyOrigin ? '*' : origin,
    ...(anyOrigin ? {} : { vary: 'origin' }),
  };
  if (isPreflight(request)) {
    headers['access-control-allow-methods'] = API_CORS.allowMethods.join(',');
    headers['access-control-allow-headers'] = API_CORS.allowHeaders.join(',');
    headers['access-control-max-age'] = String(API_CORS.maxAgeSeconds);
  } else {
    headers['access-control-expose-headers'] = API_CORS.exposeHeaders.join(',');
  }
  return headers;
}

type Route = NonNullable<ReturnType<typeof matchRoute>>['route'];
type Authorized = { claims?: Record<string, unknown>; scopes: string[] };

/** The JWT authorizer: the caller's claims and scopes, or the gateway's 401/403. */
async function authorize(
  issuer: LocalIssuer,
  route: Route,
  request: http.IncomingMessage,
): Promise<Authorized | { denied: Result }> {
  if (!route.scopes) return { scopes: [] };
  const bearer = /^Bearer (.+)$/i.exec(String(request.headers.authorization ?? ''))?.[1];
  const verified = bearer ? await issuer.verify(bearer.trim()) : undefined;
  if (!verified) return { denied: gatewayError(401, 'Unauthorized', { 'www-authenticate': 'Bearer' }) };
  if (!route.scopes.some((scope) => verified.scopes.includes(scope)))
    return { denied: gatewayError(403, 'Forbidden') };
  return { claims: verified.claims, scopes: verified.scopes };
}

interface EventParts {
  method: string;
  path: string;
  rawPath: string;
  rawQueryString: string;
  match: NonNullable<ReturnType<typeof matchRoute>>;
  auth: Authorized;
  body: Buffer;
}

/** The payload 2.0 event API Gateway would pass the function. */
function proxyEvent(
  accountId: string,
  request: http.IncomingMessage,
  parts: EventParts,
): APIGatewayProxyEventV2 {
  const { method, path, rawPath, rawQueryString, match, auth, body } = parts;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const textual = isTextual(headers['content-type']);
  const now = new Date();
  const requestId = randomUUID();
  const key = routeKey(match.route);
  const queryStringParameters = queryParameters(new URLSearchParams(rawQueryString));
  return {
    version: '2.0',
    routeKey: key,
    rawPath,
    rawQueryString,
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId,
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: key,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      ...(auth.claims ? { authorizer: { jwt: { claims: auth.claims, scopes: auth.scopes } } } : {}),
    } as APIGatewayProxyEventV2['requestContext'],
    isBase64Encoded: body.length > 0 && !textual,
    ...(body.length > 0 ? { body: body.toString(textual ? 'utf8' : 'base64') } : {}),
  };
}

async function invokeFunction(fn: LocalApiOptions['fn'], event: APIGatewayProxyEventV2): Promise<Result> {
  try {
    const result = (await fn.invoke(event)) as Result | string | undefined;
    if (result && typeof result === 'object' && 'statusCode' in result) return result;
    // Payload 2.0: anything else is a 200 JSON body, as API Gateway infers it.
    return { statusCode: 200, body: typeof result === 'string' ? result : JSON.stringify(result ?? null) };
  } catch {
    return gatewayError(500, 'Internal Server Error');
  }
}

async function handle(
  options: LocalApiOptions,
  maxBodyBytes: number,
  request: http.IncomingMessage,
): Promise<Result> {
  const method = request.method ?? 'GET';
  const rawUrl = request.url ?? '/';
  const queryStart = rawUrl.indexOf('?');
  const rawPath = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
  const rawQueryString = queryStart < 0 ? '' : rawUrl.slice(queryStart + 1);

  // A preflight never reaches the routes or the authorizer (its CORS headers come from corsFor).
  if (isPreflight(request)) return { statusCode: 204 };

  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    // Not valid UTF-8 percent-encoding: no key can be made of it.
    return problemResponse(
      new ApiProblem('invalid-key', 'The path is not valid UTF-8 percent-encoding.', 'key').toProblem(),
    );
  }
  const match = matchRoute(method, path);
  if (!match) return gatewayError(404, 'Not Found');

  const auth = await authorize(options.issuer, match.route, request);
  if ('denied' in auth) return auth.denied;

  const body = await readBody(request, maxBodyBytes);
  if (body === undefined) return gatewayError(413, 'Request Entity Too Large');
  const parts = { method, path, rawPath, rawQueryString, match, auth, body };
  return invokeFunction(options.fn, proxyEvent(options.accountId, request, parts));
}

export function createLocalApi(options: LocalApiOptions): http.RequestListener {
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  return (request, response) => {
    const cors = corsFor(options.corsOrigins, request);
    handle(options, maxBodyBytes, request).then(
      (result) => send(response, result, cors),
      () => send(response, gatewayError(500, 'Internal Server Error'), cors),
    );
  };
}
