import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRICS, METRICS_NAMESPACE, type MetricName, type MetricSpec } from '../../functions/core/metrics';
import { FUNCTIONS, houseEnvironment } from '../../infra/config/functions';
import { loadStageConfig } from '../../infra/config/stage-config';
import { MonitoringStack } from '../../infra/stacks/monitoring-stack';
import { buildStage } from '../support/synth';

/** What the code emits, per Powertools service: the metric catalog (handlers emit only its names). */
function emittedMetrics(): Map<string, Set<string>> {
  const emitted = new Map<string, Set<string>>();
  for (const [name, spec] of Object.entries(METRICS) as [MetricName, MetricSpec][]) {
    for (const service of spec.services) emitted.set(service, (emitted.get(service) ?? new Set()).add(name));
  }
  return emitted;
}

/** The dashboard body as CloudFormation will render it, with references as "<ref>". */
function dashboardBody(template: Template): {
  widgets: { type: string; properties: Record<string, unknown> }[];
} {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as {
    Properties: { DashboardBody: { 'Fn::Join': [string, unknown[]] } | string };
  }[];
  const body = dashboard?.Properties.DashboardBody;
  const text =
    typeof body === 'string'
      ? body
      : (body?.['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<ref>')).join('') ?? '{}');
  return JSON.parse(text);
}

type MetricRef = { namespace: string; metricName: string; dimensions: Record<string, string> };

/** Every metric a widget draws: plain metric arrays and the terms of SEARCH expressions. */
function dashboardMetrics(body: ReturnType<typeof dashboardBody>): {
  metrics: MetricRef[];
  searches: string[];
} {
  const metrics: MetricRef[] = [];
  const searches: string[] = [];
  for (const widget of body.widgets) {
    for (const entry of (widget.properties.metrics as unknown[][] | undefined) ?? []) {
      const last = entry[entry.length - 1] as { expression?: string } | string;
      if (typeof last === 'object' && last.expression) {
        searches.push(last.expression);
        continue;
      }
      const [namespace, metricName, ...rest] = entry.filter((part) => typeof part === 'string') as string[];
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < rest.length; i += 2) dimensions[rest[i] as string] = rest[i + 1] as string;
      metrics.push({ namespace: namespace as string, metricName: metricName as string, dimensions });
    }
  }
  return { metrics, searches };
}

describe('the operations dashboard (dev)', () => {
  let template: Template;
  let body: ReturnType<typeof dashboardBody>;
  let built: ReturnType<typeof buildStage>;
  beforeAll(() => {
    built = buildStage('dev');
    template = Template.fromStack(built.monitoring);
    body = dashboardBody(template);
  });

  it('reads business metrics only as the functions emit them: namespace, name and service', () => {
    const emitted = emittedMetrics();
    const { metrics, searches } = dashboardMetrics(body);
    const business = metrics.filter((metric) => metric.namespace === METRICS_NAMESPACE);
    expect(business.length).toBeGreaterThanOrEqual(12);
    for (const { metricName, dimensions } of business) {
      expect(Object.keys(dimensions), metricName).toEqual(['service']);
      expect(
        [...(emitted.get(dimensions.service ?? '') ?? [])],
        `${dimensions.service} emits ${metricName}`,
      ).toContain(metricName);
    }
    const businessSearches = searches.filter((search) => search.includes(`{${METRICS_NAMESPACE},`));
    expect(businessSearches).toHaveLength(1);
    for (const search of businessSearches) {
      const [, metricName, service] = /MetricName="(\w+)" service="([\w-]+)"/.exec(search) ?? [];
      expect([...(emitted.get(service ?? '') ?? [])]).toContain(metricName);
    }
    // ImagesRejected carries {service, reason}: that is the dimension set the SEARCH names.
    expect(METRICS.ImagesRejected.dimensions).toEqual(['reason']);
    expect(businessSearches[0]).toContain(`{${METRICS_NAMESPACE},reason,service}`);
    // The functions publish into the namespace the dashboard reads.
    for (const spec of Object.values(FUNCTIONS)) {
      expect(houseEnvironment(spec, loadStageConfig('dev')).POWERTOOLS_METRICS_NAMESPACE).toBe(
        METRICS_NAMESPACE,
      );
    }
  });

  it('shows the pipeline: uploads, executions, rejections, Rekognition, DLQ depth and the oldest message', () => {
    const { metrics } = dashboardMetrics(body);
    const names = new Set(metrics.map((metric) => `${metric.namespace}/${metric.metricName}`));
    for (const name of [
      'AWS/SQS/NumberOfMessagesSent',
      'AWS/States/ExecutionsStarted',
      'AWS/States/ExecutionsSucceeded',
      'AWS/States/ExecutionsFailed',
      'AWS/SQS/ApproximateNumberOfMessagesVisible',
      'AWS/SQS/ApproximateAgeOfOldestMessage',
      `${METRICS_NAMESPACE}/RekognitionLatency`,
      `${METRICS_NAMESPACE}/RekognitionThrottles`,
      `${METRICS_NAMESPACE}/ImagesLabeled`,
    ]) {
      expect(names).toContain(name);
    }
  });

  it('shows each canary split by executed version', () => {
    const canaries = body.widgets.filter((widget) => String(widget.properties.title).startsWith('Canary: '));
    expect(canaries.map((widget) => widget.properties.title)).toEqual(
      [
        'claim-image',
        'validate-image',
        'detect-labels',
        'store-labels',
        'record-outcome',
        'start-workflow',
        'apply-flags',
        'reconcile-object',
        'validate-flags',
        'count-labels',
        'api',
      ].map((name) => `Canary: ${name}`),
    );
    for (const widget of canaries) {
      const { searches } = dashboardMetrics({ widgets: [widget] });
      expect(searches.map((search) => /MetricName="(\w+)"/.exec(search)?.[1])).toEqual([
        'Invocations',
        'Errors',
        'Duration',
      ]);
      for (const search of searches)
        expect(search).toContain('{AWS/Lambda,ExecutedVersion,FunctionName,Resource}');
    }
  });

  it("watches the stage's labels API: its widgets and its 5xx alarm", () => {
    expect(body.widgets.some((widget) => String(widget.properties.title).startsWith('API'))).toBe(true);
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'))).toContain('AWS/ApiGateway');
  });

  it('keeps its alarms free of raw alarm actions, and the alarm topic encrypted and TLS-only', () => {
    // The operational alarms reach the topic as sentences through an EventBridge rule
    // (test/infra/delivery-notifications.test.ts), not as CloudWatch's JSON.
    const pipeline = Template.fromStack(built.pipeline);
    type Alarm = { Properties: { AlarmActions?: unknown[]; OKActions?: unknown[] } };
    const alarms = [
      ...Object.values(pipeline.findResources('AWS::CloudWatch::Alarm')),
      ...Object.values(template.findResources('AWS::CloudWatch::Alarm')),
    ] as Alarm[];
    expect(alarms.length).toBeGreaterThanOrEqual(4);
    for (const alarm of alarms) {
      expect([alarm.Properties.AlarmActions, alarm.Properties.OKActions]).toEqual([undefined, undefined]);
    }
    pipeline.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    const policy = JSON.stringify(pipeline.findResources('AWS::SNS::TopicPolicy'));
    expect(policy).toContain('"aws:SecureTransport":"false"');
  });
});

describe('the operations dashboard with an API', () => {
  it('adds requests, 4xx, 5xx and p99 latency widgets and a 5xx alarm for the given HTTP API', () => {
    const built = buildStage('dev');
    const stack = new MonitoringStack(built.app, 'WithApi', {
      config: built.config,
      stateMachine: built.pipeline.workflow.stateMachine,
      queue: built.storage.ingest.queue,
      deadLetterQueue: built.storage.ingest.deadLetterQueue,
      topic: built.pipeline.alarmTopic,
      pipelineAlarms: built.pipeline.alarms,
      labelCountsAlarms: built.pipeline.labelCounts.alarms,
      deliveries: [built.pipeline.delivery],
      flags: built.pipeline.flags,
      api: apigwv2.HttpApi.fromHttpApiAttributes(built.pipeline, 'LabelsApi', { httpApiId: 'abc123' }),
    });
    const template = Template.fromStack(stack);
    const { metrics } = dashboardMetrics(dashboardBody(template));
    const api = metrics.filter((metric) => metric.namespace === 'AWS/ApiGateway');
    expect(api.map((metric) => metric.metricName).sort()).toEqual(['4xx', '5xx', 'Count', 'Latency']);
    for (const metric of api) expect(metric.dimensions).toEqual({ ApiId: 'abc123' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
    });
  });
});

/** The catalog metrics an alarm reads, in any stack of the stage (plain metrics and math terms). */
function alarmedMetrics(template: Template): string[] {
  const names: string[] = [];
  for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
    const props = alarm.Properties as {
      Namespace?: string;
      MetricName?: string;
      Metrics?: { MetricStat?: { Metric: { Namespace: string; MetricName: string } } }[];
    };
    if (props.Namespace === METRICS_NAMESPACE && props.MetricName) names.push(props.MetricName);
    for (const term of props.Metrics ?? []) {
      const metric = term.MetricStat?.Metric;
      if (metric?.Namespace === METRICS_NAMESPACE) names.push(metric.MetricName);
    }
  }
  return names;
}

describe('the metric catalog against what the stage watches (dev)', () => {
  it('has every emitted metric read by an alarm or the dashboard, or says why not', () => {
    const built = buildStage('dev');
    const stacks = Object.values(built).flatMap((value) => (Stack.isStack(value) ? [value] : []));
    const templates = stacks.map((stack) => Template.fromStack(stack));
    const watched = new Set(templates.flatMap(alarmedMetrics));
    const { metrics, searches } = dashboardMetrics(dashboardBody(Template.fromStack(built.monitoring)));
    for (const metric of metrics) if (metric.namespace === METRICS_NAMESPACE) watched.add(metric.metricName);
    for (const search of searches) {
      const [, name] = /MetricName="(\w+)"/.exec(search) ?? [];
      if (name && search.includes(`{${METRICS_NAMESPACE},`)) watched.add(name);
    }
    const unread = (Object.keys(METRICS) as MetricName[]).filter(
      (name) => !watched.has(name) && !('unwatched' in METRICS[name]),
    );
    const needlesslyExcused = (Object.keys(METRICS) as MetricName[]).filter(
      (name) => watched.has(name) && 'unwatched' in METRICS[name],
    );
    expect({ unread, needlesslyExcused }).toEqual({ unread: [], needlesslyExcused: [] });
    // Sanity: the alarms on business metrics are found (Rekognition throttles, flags fallbacks).
    expect(watched).toContain('RekognitionThrottles');
    expect(watched).toContain('FlagsFallback');
  });
});
