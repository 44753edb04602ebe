/**
 * The metrics the dashboard and the alarms read. Business metrics are the functions' own EMF
 * output (Powertools Metrics): namespace METRICS_NAMESPACE, dimension `service` = the emitting
 * function's handlerDir. test/infra/dashboard.test.ts checks every one against the code.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE } from '../../config/functions';

/** A business metric as one function emits it (its default dimension set: {service}). */
export function businessMetric(
  service: string,
  metricName: string,
  statistic = 'Sum',
  period: Duration = Duration.minutes(5),
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service },
    statistic,
    period,
    label: metricName,
  });
}

/**
 * ImagesRejected is emitted with the dimension set {service, reason} (validate-image adds the
 * reason), so it has no {service}-only series: a SEARCH finds one line per reason, whatever
 * reasons appear. REJECTION_REASONS bounds that dimension.
 */
export function rejectedByReason(period: Duration = Duration.minutes(5)): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},reason,service} MetricName="ImagesRejected" service="validate-image"', 'Sum', ${period.toSeconds()})`,
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
