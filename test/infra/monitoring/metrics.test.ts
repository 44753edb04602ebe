import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { METRICS, METRICS_NAMESPACE } from '../../../functions/core/metrics';
import { businessMetric, catalogMetric, emitterOf } from '../../../infra/constructs/monitoring/metrics';

describe('catalog metrics in infra', () => {
  it('accepts, for a service known only as a string, a function the catalog lists as an emitter', () => {
    for (const service of METRICS.FlagsFallback.services) {
      expect(emitterOf('FlagsFallback', service)).toBe(service);
    }
  });

  it('refuses at synth a function the catalog does not list, naming the file to change', () => {
    expect(() => emitterOf('FlagsFallback', 'claim-image')).toThrow(
      'claim-image does not emit FlagsFallback: add it to the metric',
    );
  });

  it('reads a metric as the function emits it: namespace, name and its service dimension', () => {
    const metric = catalogMetric('apply-flags', 'FlagsFallback', {
      statistic: 'Sum',
      period: Duration.minutes(1),
    });
    expect(metric).toMatchObject({
      namespace: METRICS_NAMESPACE,
      metricName: 'FlagsFallback',
      dimensions: { service: 'apply-flags' },
      statistic: 'Sum',
      label: undefined,
    });
    expect(businessMetric('apply-flags', 'FlagsFallback').label).toBe('FlagsFallback');
  });
});
