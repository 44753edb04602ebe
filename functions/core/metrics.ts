/**
 * The metric catalog: every business metric the functions emit (EMF through Powertools Metrics),
 * with its unit and the Powertools service that emits it (the function's handlerDir). The
 * handlers emit only names from here (functions/shared/observability.ts `emit`), and the alarms
 * and the dashboard read only names from here (infra/constructs/monitoring/metrics.ts), so a
 * renamed or removed metric is a compile error on both sides.
 */

export const METRICS_NAMESPACE = 'ImageLabeling';

/** The Powertools service of the CodeDeploy lifecycle hooks (both hooks share it). */
export const DEPLOYMENT_HOOKS_SERVICE = 'deployment-hooks';

export type MetricUnitName = 'Count' | 'Milliseconds';

export interface MetricSpec {
  unit: MetricUnitName;
  /** The services that emit it; the dashboard and alarms read it under these. */
  services: readonly string[];
  /** Dimensions added to {service} (each value set at run time). */
  dimensions?: readonly string[];
  description: string;
  /**
   * Why no alarm or dashboard widget reads it (a diagnostic, or watched through another metric);
   * a metric without it must be read by one (test/infra/dashboard.test.ts).
   */
  unwatched?: string;
}

/** Every function that reads feature flags counts its fallbacks to the defaults. */
const FLAGS_READERS = ['detect-labels', 'start-workflow', 'apply-flags', 'reconcile-object'] as const;

export const METRICS = {
  MessagesReceived: {
    unit: 'Count',
    services: ['start-workflow'],
    description: 'SQS messages taken from the ingest queue.',
  },
  MessagesPaused: {
    unit: 'Count',
    services: ['start-workflow'],
    description: 'Messages returned while processing is paused.',
    unwatched: "Diagnostic: a pause shows as the ingest queue's depth and age on the dashboard.",
  },
  MessagesFailed: {
    unit: 'Count',
    services: ['start-workflow'],
    description: 'Messages reported as batch item failures.',
  },
  DuplicateSkipped: {
    unit: 'Count',
    services: ['claim-image'],
    description: 'Object versions already processed.',
  },
  ReprocessAttempts: {
    unit: 'Count',
    services: ['claim-image'],
    description: 'Claims taken for a second or later run.',
  },
  ImagesRejected: {
    unit: 'Count',
    services: ['validate-image'],
    dimensions: ['reason'],
    description: 'Uploads refused before Rekognition, by reason.',
  },
  RekognitionCalls: { unit: 'Count', services: ['detect-labels'], description: 'DetectLabels calls.' },
  RekognitionLatency: {
    unit: 'Milliseconds',
    services: ['detect-labels'],
    description: 'DetectLabels latency.',
  },
  RekognitionThrottles: {
    unit: 'Count',
    services: ['detect-labels'],
    description: 'DetectLabels throttled.',
  },
  DetectionCacheHits: {
    unit: 'Count',
    services: ['detect-labels'],
    description: "Runs that reused a version's recorded Rekognition answer.",
  },
  ImagesLabeled: { unit: 'Count', services: ['store-labels'], description: 'Images recorded LABELED.' },
  LabelsStored: {
    unit: 'Count',
    services: ['store-labels'],
    description: 'Labels written with them.',
    unwatched: 'Diagnostic: the outcome the dashboard draws is ImagesLabeled.',
  },
  ImagesFailed: { unit: 'Count', services: ['record-outcome'], description: 'Images recorded FAILED.' },
  LabelChangesCounted: {
    unit: 'Count',
    services: ['count-labels'],
    description: 'IMAGE record changes added to the label counts from the stream.',
    unwatched: "Diagnostic: the stream's lag is watched through the count-labels iterator age alarm.",
  },
  LabelCountsWritten: {
    unit: 'Count',
    services: ['count-labels'],
    description: 'Label count items written when a tumbling window closes.',
    unwatched: 'Diagnostic of the write cost per window (bench/README.md).',
  },
  ReconcileEnqueued: {
    unit: 'Count',
    services: ['reconcile-object'],
    description: 'Objects put back on the ingest queue by a reconcile.',
    unwatched: 'Diagnostic of an operator-run reconcile or backfill, whose workflow reports the run.',
  },
  IngestEnabled: {
    unit: 'Count',
    services: ['apply-flags'],
    description: 'The ingest event source turned on.',
    unwatched: 'Diagnostic of apply-flags: the switch itself is the flags document.',
  },
  IngestDisabled: {
    unit: 'Count',
    services: ['apply-flags'],
    description: 'The ingest event source turned off.',
    unwatched: 'Diagnostic of apply-flags: the switch itself is the flags document.',
  },
  IngestPaused: {
    unit: 'Count',
    services: ['apply-flags'],
    description: '1 while the processing flag is off.',
    unwatched: "Diagnostic: a pause shows as the ingest queue's depth and age on the dashboard.",
  },
  FlagsDocumentsAccepted: {
    unit: 'Count',
    services: ['validate-flags'],
    description: 'Flags documents the validator accepted.',
    unwatched: 'Diagnostic: AppConfig records each validation with its deployment.',
  },
  FlagsDocumentsRefused: {
    unit: 'Count',
    services: ['validate-flags'],
    description: 'Flags documents the validator refused.',
    unwatched: 'A refused document never deploys: AppConfig reports it to whoever deployed it.',
  },
  FlagsFallback: {
    unit: 'Count',
    services: FLAGS_READERS,
    description: 'Reads of the flags that fell back to the defaults.',
  },
  Requests: {
    unit: 'Count',
    services: ['api'],
    dimensions: ['route'],
    description: 'API requests answered.',
    unwatched: "Per-route diagnostic: the dashboard reads API Gateway's own request counts.",
  },
  Faults: {
    unit: 'Count',
    services: ['api'],
    dimensions: ['route'],
    description: 'API requests answered 5xx.',
    unwatched: "Per-route diagnostic: the API 5xx alarm reads API Gateway's own 5xx count.",
  },
  SmokeTestsPassed: {
    unit: 'Count',
    services: [DEPLOYMENT_HOOKS_SERVICE],
    description: 'Lifecycle hooks that reported Succeeded.',
  },
  SmokeTestsFailed: {
    unit: 'Count',
    services: [DEPLOYMENT_HOOKS_SERVICE],
    description: 'Lifecycle hooks that reported Failed (the deployment rolls back).',
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;
