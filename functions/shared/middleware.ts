import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics } from './observability';
import { tracingMiddleware } from './tracing';

/**
 * Wraps a handler in the house middleware chain: the tracer's segment when the SDK tracing is
 * on (tracing.ts), Lambda context in every log line (keys reset between invocations), EMF
 * metrics flushed per invocation with a cold-start metric. Handlers stay plain async functions of (event, context).
 */
export function instrumented<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
) {
  return middy(handler)
    .use(tracingMiddleware())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
