/**
 * The one observability module: every function logs and measures through these instances, and
 * traces through tracing.ts (which loads the tracer only where the stage turns it on). Service
 * name, namespace and log level come from the POWERTOOLS_* variables that the house function
 * construct sets (and the local cloud sets the same way).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS, type MetricName } from '../core/metrics';

export const logger = new Logger();
export const metrics = new Metrics();
export { MetricUnit };

/** Emits a catalog metric (functions/core/metrics.ts) in its unit: a name not in the catalog does not compile. */
export function emit(name: MetricName, value = 1): void {
  metrics.addMetric(name, MetricUnit[METRICS[name].unit], value);
}
