/**
 * At least 1,000 generated malformed requests against the local API: none may answer 5xx,
 * and no answer may leak a stack trace or an internal name.
 */
import http from 'node:http';
import { Harness, type ScenarioResult } from '../harness';

/** A small deterministic generator, so a failing request can be replayed from its seed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  '%',
  '%zz',
  '%C3%28',
  '%ED%A0%80',
  '%00',
  '%0A%0D',
  '..%2F..%2Fetc%2Fpasswd',
  '../../etc/passwd',
  '%2e%2e%2f%2e%2e%2f',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  '{"$ne":null}',
  '-1',
  '1e309',
  'NaN',
  '0x10',
  '9'.repeat(400),
  'a'.repeat(2000),
  '%F0%9F%98%80',
  'null',
  'true',
  '[]',
  '\u0000',
  'LABEL#cat',
  'IMAGE#x',
];
const PARAMS = [
  'label',
  'minConfidence',
  'limit',
  'cursor',
  'prefix',
  'key',
  'unknown',
  'Label',
  'LIMIT',
  'x',
];
/** Mostly the real routes with hostile parameters, so validation is what gets exercised. */
const ROUTES: [string, string][] = [
  ['GET', '/images'],
  ['GET', '/images'],
  ['GET', '/images/{s}'],
  ['GET', '/images/{s}/{s}'],
  ['DELETE', '/images/{s}'],
  ['GET', '/labels'],
  ['GET', '/labels'],
  ['POST', '/uploads'],
  ['POST', '/uploads'],
  ['GET', '/openapi.json'],
];
const ODD_PATHS = ['/images/', '/{s}', '/', '/uploads/{s}', '/labels/{s}'];
const ODD_METHODS = ['PUT', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'DELETE', 'POST'];
const BODIES = [
  undefined,
  '',
  '{',
  'null',
  '[]',
  '{"fileName":"a.png"}',
  '{"fileName":"a.png","contentType":"image/gif","contentLength":10}',
  '{"fileName":"a.png","contentType":"image/png","contentLength":-5}',
  '{"fileName":"a.png","contentType":"image/png","contentLength":99999999999}',
  '{"fileName":"../../x.png","contentType":"image/png","contentLength":10}',
  '{"fileName":"a.png","contentType":"image/png","contentLength":"10"}',
  `{"fileName":"${'x'.repeat(5000)}","contentType":"image/png","contentLength":10}`,
  '{"fileName":"a.png","contentType":"image/png","contentLength":10,"extra":true}',
];

/** What must never appear in an answer: stack frames, source paths, AWS internals. */
const LEAKS = [
  /\bat .+\.(ts|js):\d+/,
  /node_modules/,
  /\/work\/|\/var\/task/,
  /image-labeling-[a-z]+-labels/,
  /DynamoDB|ValidationException|ConditionalCheckFailed|ResourceNotFound/,
  /arn:aws:/,
  /TypeError|ReferenceError|SyntaxError: /,
];

interface Answer {
  status: number;
  body: string;
}

function send(
  api: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: api.hostname,
        port: api.port,
        method,
        path,
        headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Drops what no HTTP client can put in a request line: whitespace, `#`, `?` and control characters. */
function sendable(text: string): string {
  return [...text]
    .filter(
      (char) => char.charCodeAt(0) > 0x20 && char.charCodeAt(0) !== 0x7f && char !== '#' && char !== '?',
    )
    .join('');
}

export async function apiFuzz(requests = 1200, seed = 20261125): Promise<ScenarioResult> {
  const harness = await Harness.start();
  try {
    const api = new URL(harness.cloud.info.endpoints.api);
    const issuer = harness.cloud.issuer;
    const tokens = [
      await issuer.mint(),
      await issuer.mint({ scopes: ['labels/read'] }),
      'not-a-jwt',
      `${(await issuer.mint()).slice(0, -4)}AAAA`,
      '',
    ];
    const random = generator(seed);
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    for (let index = 0; index < requests; index++) {
      // Half percent-encoded, half raw (minus what no HTTP client can put in a request line).
      const segment = () =>
        random.next() < 0.5
          ? encodeURIComponent(random.pick(HOSTILE_STRINGS))
          : sendable(random.pick(HOSTILE_STRINGS));
      const [routeMethod, routePath] =
        random.next() < 0.85 ? random.pick(ROUTES) : [random.pick(ODD_METHODS), random.pick(ODD_PATHS)];
      const path = routePath.replace(/\{s\}/g, segment);
      const query = Array.from(
        { length: Math.floor(random.next() * 4) },
        () => `${random.pick(PARAMS)}=${segment()}`,
      ).join('&');
      const method = routeMethod;
      const token = random.next() < 0.7 ? (tokens[0] ?? '') : random.pick(tokens);
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const body = method === 'POST' || random.next() < 0.1 ? random.pick(BODIES) : undefined;
      const target = query ? `${path}?${query}` : path;
      let answer: Answer;
      try {
        answer = await send(api, method, target, headers, body);
      } catch (error) {
        problems.push(`#${index} ${method} ${target}: no answer (${String(error)})`);
        continue;
      }
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.status >= 500)
        problems.push(`#${index} ${method} ${target}: ${answer.status} ${answer.body.slice(0, 200)}`);
      const leak = LEAKS.find((pattern) => pattern.test(answer.body));
      if (leak)
        problems.push(
          `#${index} ${method} ${target}: the answer leaks ${leak}: ${answer.body.slice(0, 200)}`,
        );
    }
    return {
      scenario: `API fuzz (${requests} malformed requests, seed ${seed})`,
      inputs: requests,
      labeled: 0,
      rejected: 0,
      failed: 0,
      rekognitionCalls: harness.rekognitionCalls(),
      dlqMessages: await harness.deadLetterCount(),
      lost: 0,
      problems: problems.slice(0, 20),
      notes: [...statuses]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => `${status}: ${count}`)
        .join(', '),
    };
  } finally {
    await harness.stop();
  }
}
