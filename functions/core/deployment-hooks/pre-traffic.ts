/**
 * Pre-traffic smoke tests: the new version is invoked directly with an event whose outcome is
 * known (validate-image: a tiny valid PNG and a text file; the other tasks: an input they must
 * refuse; start-workflow: a batch it must acknowledge without starting anything; count-labels:
 * a window's batch with no IMAGE change, which it must accept without touching the table; validate-flags:
 * this release's flags document, which it must accept, and a contradictory one, which it must
 * refuse).
 */
import { flagsValidatorSmokeEvents } from '../flags-validation-smoke';
import type { CheckResult } from './hook';
import { smokeCountWindow, smokeHttpEvent, smokeQueueBatch, smokeScheduledEvent } from './smoke-events';
import { type SmokeObjectStore, withSmokeObjects } from './smoke-objects';

/** How a function's new version is smoke-tested before it gets traffic. */
export const SMOKE_PLANS = [
  'validate-image',
  'task-input',
  'queue-batch',
  'http-openapi',
  'scheduled',
  'flags-validator',
  'stream-window',
] as const;
export type SmokePlan = (typeof SMOKE_PLANS)[number];

export type Invocation =
  | { ok: true; result: unknown }
  | { ok: false; errorType: string; errorMessage: string; statusCode: number | undefined };

/** Invokes one version synchronously; a function error is a value, not a throw. */
export interface FunctionInvoker {
  invoke(functionArn: string, payload: unknown): Promise<Invocation>;
}

export interface PreTrafficDeps {
  invoker: FunctionInvoker;
  smokeObjects: SmokeObjectStore;
  bucket: string;
  now: Date;
}

/** The function's NEW version (a version ARN) and how to smoke-test it. */
export interface SmokeTarget {
  plan: SmokePlan;
  functionArn: string;
}

const describeInvocation = (invocation: Invocation) =>
  invocation.ok
    ? `returned ${JSON.stringify(invocation.result)?.slice(0, 300)}`
    : `failed with ${invocation.errorType}: ${invocation.errorMessage.slice(0, 300)}`;

const expectRejection = (
  check: string,
  invocation: Invocation,
  errorType: string,
  prefix = '',
): CheckResult => ({
  check,
  ok: !invocation.ok && invocation.errorType === errorType && invocation.errorMessage.startsWith(prefix),
  detail: describeInvocation(invocation),
});

/** What the invocation returned, when it returned an object. */
const resultOf = <T>(invocation: Invocation): Partial<T> | null =>
  invocation.ok ? (invocation.result as Partial<T> | null) : null;

type PlanCheck = (deps: PreTrafficDeps, functionArn: string) => Promise<CheckResult[]>;

const validateImage: PlanCheck = (deps, functionArn) =>
  withSmokeObjects(deps.smokeObjects, deps.now, async ({ valid, invalid }) => {
    const input = (object: typeof valid) => ({ object, eventTime: deps.now.toISOString() });
    const [accepted, rejected] = await Promise.all([
      deps.invoker.invoke(functionArn, input(valid)),
      deps.invoker.invoke(functionArn, input(invalid)),
    ]);
    const metadata = resultOf<Record<string, unknown>>(accepted);
    return [
      {
        check: 'accepts an 80 x 80 PNG',
        ok: metadata?.format === 'png' && metadata.width === 80 && metadata.height === 80,
        detail: describeInvocation(accepted),
      },
      expectRejection('rejects a text file', rejected, 'ImageRejected', 'UNSUPPORTED_FORMAT'),
    ];
  });

// Loads the bundle, validates its environment and refuses the input: no side effects.
const taskInput: PlanCheck = async (deps, functionArn) => {
  const invocation = await deps.invoker.invoke(functionArn, { smokeTest: true });
  return [expectRejection('refuses an invalid task input', invocation, 'InvalidTaskInput')];
};

/** Whether an HTTP response's body is an OpenAPI 3.1 document. */
function isOpenApi31(body: string | undefined): boolean {
  try {
    const document = JSON.parse(body ?? '') as { openapi?: unknown };
    return typeof document?.openapi === 'string' && document.openapi.startsWith('3.1');
  } catch {
    return false;
  }
}

// The API's one public route, as API Gateway delivers it: no token, no data read.
const httpOpenApi: PlanCheck = async (deps, functionArn) => {
  const invocation = await deps.invoker.invoke(functionArn, smokeHttpEvent(deps.now));
  const response = resultOf<{ statusCode: number; body: string }>(invocation);
  return [
    {
      check: 'serves GET /openapi.json',
      ok: response?.statusCode === 200 && isOpenApi31(response.body),
      detail: describeInvocation(invocation),
    },
  ];
};

// Its own schedule's event: it applies the current flags, which is what it always does.
const scheduled: PlanCheck = async (deps, functionArn) => {
  const invocation = await deps.invoker.invoke(functionArn, smokeScheduledEvent(deps.now));
  const result = resultOf<{ action: unknown }>(invocation);
  return [
    {
      check: 'runs its scheduled job',
      ok: typeof result?.action === 'string',
      detail: describeInvocation(invocation),
    },
  ];
};

// The flags document of this release must pass; a contradictory one must be refused.
const flagsValidator: PlanCheck = async (deps, functionArn) => {
  const events = flagsValidatorSmokeEvents();
  const [accepted, refused] = await Promise.all([
    deps.invoker.invoke(functionArn, events.accepted),
    deps.invoker.invoke(functionArn, events.refused),
  ]);
  return [
    { check: 'accepts config/flags.json', ok: accepted.ok, detail: describeInvocation(accepted) },
    expectRejection('refuses overlapping label filters', refused, 'FlagsDocumentInvalid'),
  ];
};

// S3's test event and an event for a smoke key: both acknowledged, no workflow started.
const queueBatch: PlanCheck = async (deps, functionArn) => {
  const invocation = await deps.invoker.invoke(functionArn, smokeQueueBatch(deps.bucket, deps.now));
  const result = resultOf<{ batchItemFailures: unknown }>(invocation);
  return [
    {
      check: 'acknowledges a batch without starting a workflow',
      ok: Array.isArray(result?.batchItemFailures) && result.batchItemFailures.length === 0,
      detail: describeInvocation(invocation),
    },
  ];
};

// A window's first batch with no IMAGE change: parsed and answered with an empty state, no
// item read or written.
const streamWindow: PlanCheck = async (deps, functionArn) => {
  const invocation = await deps.invoker.invoke(functionArn, smokeCountWindow(deps.now));
  const result = resultOf<{ state: unknown }>(invocation);
  return [
    {
      check: 'accepts a tumbling window of the labels stream',
      ok: JSON.stringify(result?.state) === '{}',
      detail: describeInvocation(invocation),
    },
  ];
};

const PLAN_CHECKS: Record<SmokePlan, PlanCheck> = {
  'validate-image': validateImage,
  'task-input': taskInput,
  'http-openapi': httpOpenApi,
  scheduled,
  'flags-validator': flagsValidator,
  'queue-batch': queueBatch,
  'stream-window': streamWindow,
};

export function preTrafficChecks(deps: PreTrafficDeps, target: SmokeTarget): Promise<CheckResult[]> {
  return PLAN_CHECKS[target.plan](deps, target.functionArn);
}
