/**
 * The Lambda control plane for the local SQS event source mapping, as far as apply-flags needs
 * it: GetEventSourceMapping and UpdateEventSourceMapping (Enabled, ScalingConfig.MaximumConcurrency),
 * REST JSON under /2015-03-31/event-source-mappings/<UUID>, SigV4 service name `lambda`.
 *
 * Disabling stops polling (batches in flight finish) and leaves every message in the queue,
 * untouched: nothing is received, so no receive count grows. A new maximum concurrency restarts
 * the pollers with that many.
 */
import type http from 'node:http';
import {
  createEventSourceMapping,
  type EventSourceMapping,
  type EventSourceMappingOptions,
} from '../sqs/event-source-mapping';

export type MappingState = 'Enabled' | 'Enabling' | 'Disabled' | 'Disabling' | 'Updating';

export interface ManagedEventSourceMapping {
  readonly uuid: string;
  state(): MappingState;
  maxConcurrency(): number;
  /** Applies an update in order with the others; resolves once it is in effect. */
  update(change: { enabled?: boolean; maxConcurrency?: number }): Promise<void>;
  /** Stops polling for good (local cloud shutdown). */
  stop(): Promise<void>;
  description(): Record<string, unknown>;
}

export interface ManagedEventSourceMappingOptions extends EventSourceMappingOptions {
  functionArn: string;
  /** Start polling at once (the default), or start Disabled. */
  enabled?: boolean;
}

export function createManagedEventSourceMapping(
  options: ManagedEventSourceMappingOptions,
): ManagedEventSourceMapping {
  const { functionArn, enabled = true, ...mappingOptions } = options;
  let concurrency = mappingOptions.concurrency ?? 2;
  let mapping: EventSourceMapping = createEventSourceMapping({ ...mappingOptions, concurrency });
  const uuid = mapping.uuid;
  let state: MappingState = enabled ? 'Enabled' : 'Disabled';
  if (enabled) mapping.start();
  let queue: Promise<void> = Promise.resolve();
  let lastModified = Date.now();

  const apply = async (change: { enabled?: boolean; maxConcurrency?: number }) => {
    const wantEnabled = change.enabled ?? (state === 'Enabled' || state === 'Enabling');
    const wantConcurrency = change.maxConcurrency ?? concurrency;
    if (wantConcurrency !== concurrency) {
      const running = state === 'Enabled';
      state = 'Updating';
      await mapping.stop();
      concurrency = wantConcurrency;
      mapping = createEventSourceMapping({ ...mappingOptions, concurrency });
      state = running ? 'Enabled' : 'Disabled';
      if (running) mapping.start();
    }
    if (wantEnabled && state === 'Disabled') {
      state = 'Enabling';
      mapping.start();
      state = 'Enabled';
    } else if (!wantEnabled && state === 'Enabled') {
      state = 'Disabling';
      await mapping.stop();
      state = 'Disabled';
    }
    lastModified = Date.now();
  };

  return {
    uuid,
    state: () => state,
    maxConcurrency: () => concurrency,
    update(change) {
      queue = queue.then(() => apply(change));
      return queue;
    },
    async stop() {
      await queue;
      await mapping.stop();
    },
    description: () => ({
      UUID: uuid,
      State: state,
      EventSourceArn: mappingOptions.queue.arn,
      FunctionArn: functionArn,
      BatchSize: mappingOptions.batchSize ?? 10,
      MaximumBatchingWindowInSeconds: Math.round((mappingOptions.maximumBatchingWindowMs ?? 0) / 1000),
      FunctionResponseTypes:
        mappingOptions.reportBatchItemFailures === false ? [] : ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: concurrency },
      LastModified: lastModified / 1000,
    }),
  };
}

function send(response: http.ServerResponse, status: number, body: unknown, errorType?: string) {
  response.writeHead(status, {
    'content-type': 'application/json',
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(JSON.stringify(body));
}

/** The `lambda` service on the edge port: Get/UpdateEventSourceMapping of the local mappings. */
export function createEventSourceMappingApi(mappings: ManagedEventSourceMapping[]): http.RequestListener {
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = /^\/2015-03-31\/event-source-mappings\/([^/]+)\/?$/.exec(url.pathname);
    if (!match?.[1]) {
      send(
        response,
        501,
        {
          message: `The local Lambda API serves only Get/UpdateEventSourceMapping (${request.method} ${url.pathname}).`,
        },
        'NotImplemented',
      );
      return;
    }
    const mapping = mappings.find((candidate) => candidate.uuid === decodeURIComponent(match[1] ?? ''));
    if (!mapping) {
      send(
        response,
        404,
        { Type: 'User', Message: 'The resource you requested does not exist.' },
        'ResourceNotFoundException',
      );
      return;
    }
    if (request.method === 'GET') {
      send(response, 200, mapping.description());
      return;
    }
    if (request.method !== 'PUT') {
      send(response, 405, { message: `${request.method} is not supported here.` }, 'NotImplemented');
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let input: { Enabled?: unknown; ScalingConfig?: { MaximumConcurrency?: unknown } };
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as typeof input;
      } catch {
        send(
          response,
          400,
          { Type: 'User', message: 'The request body is not JSON.' },
          'InvalidParameterValueException',
        );
        return;
      }
      const maximum = input.ScalingConfig?.MaximumConcurrency;
      if (
        maximum !== undefined &&
        (typeof maximum !== 'number' || !Number.isInteger(maximum) || maximum < 2 || maximum > 1000)
      ) {
        send(
          response,
          400,
          { Type: 'User', message: 'MaximumConcurrency must be 2-1000.' },
          'InvalidParameterValueException',
        );
        return;
      }
      const change: { enabled?: boolean; maxConcurrency?: number } = {};
      if (typeof input.Enabled === 'boolean') change.enabled = input.Enabled;
      if (typeof maximum === 'number') change.maxConcurrency = maximum;
      // Like Lambda, answer 202 at once with the transitional state; the change completes after.
      const pending = mapping.update(change);
      const description = mapping.description();
      if (change.enabled === false && description.State === 'Enabled') description.State = 'Disabling';
      if (change.enabled === true && description.State === 'Disabled') description.State = 'Enabling';
      send(response, 202, description);
      pending.catch(() => undefined);
    });
  };
}
