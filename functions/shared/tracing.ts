/**
 * The one tracing module: every function traces through `traced` (its AWS SDK clients) and
 * `tracingMiddleware` (its handler), and nothing else imports a tracer. Moving to
 * OpenTelemetry (AWS ends the X-Ray SDKs' support on 2027-02-25) changes this file only.
 *
 * Two modes, set per stage (`tracing` in infra/config/stage-config.ts):
 * - `active`: Lambda active tracing alone. Each invocation is a segment of the workflow's or
 *   the API's trace (the SDK's recursion-detection middleware forwards X-Amzn-Trace-Id), without
 *   a subsegment per AWS call. The X-Ray SDK is not in the bundle at all.
 * - `xray-sdk`: Powertools Tracer on top, loaded at cold start: a subsegment per AWS call, the
 *   cold-start annotation. It costs init time and bundle size (bench/README.md).
 *
 * At bundling, esbuild replaces `process.env.TRACING_MODE` with the stage's mode (BUNDLING's
 * `define`, infra/config/bundling.ts), so in `active` the condition below is `false` and the
 * Tracer's code is dropped from the bundle. The comparison must stay inline for that: esbuild
 * folds a literal comparison, not one through a variable. Unbundled (tests, the local cloud in
 * thread isolation) the variable is read at cold start like any other.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj } from '@middy/core';
import { type TracingMode, tracingMode } from './tracing-mode';

interface SdkTracing {
  tracer: Tracer;
  middleware: MiddlewareObj;
}

async function loadSdkTracing(): Promise<SdkTracing> {
  const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([
    import('@aws-lambda-powertools/tracer'),
    import('@aws-lambda-powertools/tracer/middleware'),
  ]);
  const tracer = new Tracer();
  return { tracer, middleware: captureLambdaHandler(tracer, { captureResponse: false }) };
}

tracingMode(process.env.TRACING_MODE);
const sdkTracing = process.env.TRACING_MODE === 'xray-sdk' ? await loadSdkTracing() : undefined;

/** The mode this execution environment runs in. */
export const TRACING: TracingMode = sdkTracing ? 'xray-sdk' : 'active';

/** An AWS SDK client, captured by the tracer when the SDK tracing is on (as is otherwise). */
export function traced<Client>(client: Client): Client {
  return sdkTracing ? sdkTracing.tracer.captureAWSv3Client(client) : client;
}

/** The handler's tracing middleware: none in `active` mode (Lambda opens the segment). */
export function tracingMiddleware(): MiddlewareObj[] {
  return sdkTracing ? [sdkTracing.middleware] : [];
}
