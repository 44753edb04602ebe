/**
 * The metrics the dashboard and the alarms read. Business metrics are the functions' own EMF
 * output (Powertools Metrics), named in the metric catalog (functions/core/metrics.ts):
 * namespace METRICS_NAMESPACE, dimension `service` = the emitting function's handlerDir. A name
 * not in the catalog, or a service that does not emit it, does not compile.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS, METRICS_NAMESPACE, type MetricName } from '../../../functions/core/metrics';

type EmitterOf<Name extends MetricName> = (typeof METRICS)[Name]['services'][number];

/**
 * A catalog metric as one function emits it (its default dimension set: {service}), unlabelled:
 * for math expressions, whose terms need no label of their own.
 */
export function catalogMetric<Name extends MetricName>(
  service: EmitterOf<Name>,
  metricName: Name,
  props: { statistic: string; period: Duration; label?: string },
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service },
    ...props,
  });
}

/** A business metric as one function emits it, labelled with its name. */
export function businessMetric<Name extends MetricName>(
  service: EmitterOf<Name>,
  metricName: Name,
  statistic = 'Sum',
  period: Duration = Duration.minutes(5),
): cloudwatch.Metric {
  return catalogMetric(service, metricName, { statistic, period, label: metricName });
}

/**
 * `service` as an emitter of `metricName`, for a service known only as a string at compile time
 * (a function's handlerDir): synth fails when the catalog does not list it.
 */
export function emitterOf<Name extends MetricName>(metricName: Name, service: string): EmitterOf<Name> {
  const emitters: readonly string[] = METRICS[metricName].services;
  if (!emitters.includes(service)) {
    throw new Error(
      `${service} does not emit ${metricName}: add it to the metric's services in functions/core/metrics.ts`,
    );
  }
  return service as EmitterOf<Name>;
}

const REJECTED = 'ImagesRejected' satisfies MetricName;

/**
 * ImagesRejected is emitted with the dimension set {service, reason} (validate-image adds the
 * reason), so it has no {service}-only series: a SEARCH finds one line per reason, whatever
 * reasons appear. REJECTION_REASONS bounds that dimension.
 */
export function rejectedByReason(period: Duration = Duration.minutes(5)): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},reason,service} MetricName="${REJECTED}" service="${METRICS[REJECTED].services[0]}"', 'Sum', ${period.toSeconds()})`,
    label: 'Rejected:',
    period,
  });
}

/**
 * One line per executed version of a function's `live` alias: during a canary the old and the
 * new version side by side. A SEARCH, because the version numbers are not known at synth.
 */
export function byExecutedVersion(
  functionName: string,
  metricName: 'Invocations' | 'Errors' | 'Duration' | 'Throttles',
  statistic: 'Sum' | 'p99',
  period: Duration = Duration.minutes(1),
): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{AWS/Lambda,ExecutedVersion,FunctionName,Resource} MetricName="${metricName}" FunctionName="${functionName}"', '${statistic}', ${period.toSeconds()})`,
    label: `${metricName} ${statistic} v`,
    period,
  });
}
