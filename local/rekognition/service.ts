/**
 * The local Rekognition endpoint: AWS JSON 1.1 protocol over a plain Node request listener,
 * serving `RekognitionService.DetectLabels`.
 */

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type DetectLabelsInput, detectLabels, MAX_BYTES_S3, type ReadObject } from './detect-labels';
import { isRekognitionError, RekognitionError } from './errors';
import { createFaults, type FaultSettings, type Faults, type Stats } from './faults';
import { createCenterNetModel, type LabelModel } from './model';

export interface RekognitionServiceOptions {
  /** Reads S3 objects for `Image.S3Object` (reject when missing). */
  readObject?: ReadObject;
  /** Label model; default: CenterNet in a worker thread, loaded lazily. */
  model?: LabelModel;
  /** Initial fault settings, or a shared Faults instance. */
  faults?: FaultSettings | Faults;
}

export interface RekognitionService {
  handler: RequestListener;
  faults: Faults;
  stats(): Stats;
  warmUp(): Promise<void>;
  /** Terminates the model worker. */
  close(): Promise<void>;
}

const TARGET_PREFIX = 'RekognitionService.';
/** Base64 of the largest S3-sized image plus JSON envelope: anything larger is refused unread. */
const MAX_BODY_BYTES = Math.ceil((MAX_BYTES_S3 * 4) / 3) + 64 * 1024;

function isFaults(value: FaultSettings | Faults | undefined): value is Faults {
  return typeof value === 'object' && value !== null && 'next' in value && typeof value.next === 'function';
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...extraHeaders,
  });
  res.end(payload);
}

function sendError(res: ServerResponse, err: RekognitionError): void {
  send(res, err.statusCode, { __type: err.type, Message: err.message }, { 'x-amzn-errortype': err.type });
}

export function createRekognitionService(options: RekognitionServiceOptions = {}): RekognitionService {
  const model = options.model ?? createCenterNetModel();
  const faults = isFaults(options.faults) ? options.faults : createFaults(options.faults);
  const stats: Stats = { calls: 0, byOutcome: {} };
  const count = (outcome: string): void => {
    stats.byOutcome[outcome] = (stats.byOutcome[outcome] ?? 0) + 1;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) {
      req.resume();
      throw new RekognitionError('UnknownOperationException', `Unknown operation ${target || req.method}`);
    }
    const operation = target.slice(TARGET_PREFIX.length);
    if (operation !== 'DetectLabels') {
      req.resume();
      throw new RekognitionError(
        'UnknownOperationException',
        `Operation ${operation} is not supported locally`,
      );
    }
    stats.calls += 1;
    try {
      const body = await readBody(req, MAX_BODY_BYTES);
      if (!body) throw new RekognitionError('ImageTooLargeException', 'Request body is too large');
      const injected = faults.next();
      if (injected) throw injected;
      let input: DetectLabelsInput;
      try {
        input = JSON.parse(body.length ? body.toString('utf8') : '{}') as DetectLabelsInput;
      } catch {
        throw new RekognitionError('SerializationException', 'Request body is not valid JSON');
      }
      const output = await detectLabels(model, input, { readObject: options.readObject });
      count('Success');
      send(res, 200, output);
    } catch (err) {
      count(isRekognitionError(err) ? err.type : 'InternalServerError');
      throw err;
    }
  }

  const handler: RequestListener = (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return;
      if (isRekognitionError(err)) sendError(res, err);
      else {
        console.error('[local rekognition] internal error:', err);
        sendError(res, new RekognitionError('InternalServerError', 'Internal server error'));
      }
    });
  };

  return {
    handler,
    faults,
    stats: () => ({ calls: stats.calls, byOutcome: { ...stats.byOutcome } }),
    warmUp: () => model.warmUp(),
    close: () => model.close(),
  };
}
