/**
 * At least 1,000 generated malformed requests against the local API: none may answer 5xx,
 * and no answer may leak a stack trace or an internal name. The table holds a few labeled
 * images, so the lists sign real image URLs; real page cursors of both list forms (every image,
 * images by label) are mixed into the hostile values, and every tenth request is a
 * well-formed list query whose exact answer is checked: 200 with an image URL per item, or
 * the 400 it must be (minConfidence without label, a cursor of the other form).
 */
import http from 'node:http';
import { photo } from '../../test/support/images';
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
/**
 * Photos labeled before the requests start, so list answers carry items and signed URLs; one
 * twice, so its labels have a second page.
 */
const SEEDED_PHOTOS = ['astronaut.png', 'astronaut.png', 'chelsea.png'];
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
    const lists = await seedLists(harness, api, tokens[0] ?? '');
    const hostile = [...HOSTILE_STRINGS, lists.listCursor, lists.labelCursor];
    let checked = 0;
    for (let index = 0; index < requests; index++) {
      if (index % 10 === 0) {
        const valid = wellFormedList(random, lists);
        const answer = await send(api, 'GET', valid.target, { authorization: `Bearer ${tokens[0]}` });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        checked++;
        const wrong = checkList(answer, valid.status);
        if (wrong) problems.push(`#${index} GET ${valid.target}: ${wrong}`);
        continue;
      }
      // Half percent-encoded, half raw (minus what no HTTP client can put in a request line).
      const segment = () =>
        random.next() < 0.5 ? encodeURIComponent(random.pick(hostile)) : sendable(random.pick(hostile));
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
      scenario: `API fuzz (${requests} requests, ${checked} of them well-formed lists, seed ${seed})`,
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

interface Lists {
  label: string;
  listCursor: string;
  labelCursor: string;
}

/** Uploads and labels the seed photos; the first pages' cursors of both list forms. */
async function seedLists(harness: Harness, api: URL, token: string): Promise<Lists> {
  const keys = SEEDED_PHOTOS.map((name, index) => `fuzz/${index}-${name}`);
  for (const [index, key] of keys.entries()) {
    await harness.upload(key, photo(SEEDED_PHOTOS[index] ?? ''), 'image/png');
  }
  const records = await harness.waitForFinal(keys, 120_000);
  const label = records.get(keys[0] ?? '')?.labels?.[0]?.name;
  if (!label) throw new Error('no seed photo was labeled');
  const headers = { authorization: `Bearer ${token}` };
  const cursorOf = async (target: string) => {
    const answer = await send(api, 'GET', target, headers);
    const cursor = (JSON.parse(answer.body) as { nextCursor?: string }).nextCursor;
    if (answer.status !== 200 || !cursor) throw new Error(`${target}: ${answer.status} without a cursor`);
    return cursor;
  };
  return {
    label,
    listCursor: await cursorOf('/images?limit=1'),
    labelCursor: await cursorOf(`/images?label=${encodeURIComponent(label)}&limit=1`),
  };
}

/** A well-formed GET /images and the status it must get. */
function wellFormedList(
  random: ReturnType<typeof generator>,
  lists: Lists,
): { target: string; status: number } {
  const byLabel = random.next() < 0.5;
  const query = new URLSearchParams();
  if (byLabel) query.set('label', random.next() < 0.5 ? lists.label : lists.label.toUpperCase());
  // minConfidence only filters a label's images: without one it is a 400.
  const withConfidence = random.next() < 0.25;
  if (withConfidence) query.set('minConfidence', String(Math.round(random.next() * 100000) / 1000));
  if (random.next() < 0.7) query.set('limit', String(1 + Math.floor(random.next() * 100)));
  // A cursor of the other form is a 400; one of the same form continues the list.
  const cursor = random.pick([undefined, lists.listCursor, lists.labelCursor]);
  if (cursor) query.set('cursor', cursor);
  const foreignCursor = cursor !== undefined && (cursor === lists.labelCursor) !== byLabel;
  // A label cursor is bound to minConfidence too (it was made with the default, 0).
  const rebound =
    byLabel && cursor === lists.labelCursor && withConfidence && query.get('minConfidence') !== '0';
  const refused = (withConfidence && !byLabel) || foreignCursor || rebound;
  return { target: `/images?${query}`, status: refused ? 400 : 200 };
}

/** What is wrong with a list answer, if anything. */
function checkList(answer: Answer, status: number): string | undefined {
  if (answer.status !== status) return `${answer.status} instead of ${status}: ${answer.body.slice(0, 200)}`;
  if (status !== 200) return undefined;
  const page = JSON.parse(answer.body) as { items?: { imageUrl?: string }[]; imageUrlExpiresAt?: string };
  if (!page.items || !page.imageUrlExpiresAt)
    return `no items or imageUrlExpiresAt: ${answer.body.slice(0, 200)}`;
  if (!page.items.every((item) => /^https?:\/\/\S+X-Amz-Signature=/.test(item.imageUrl ?? ''))) {
    return `an item without a signed imageUrl: ${answer.body.slice(0, 200)}`;
  }
  return undefined;
}
