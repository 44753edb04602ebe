/**
 * CodeDeploy lifecycle hooks for the functions' `live` aliases.
 *
 * - BeforeAllowTraffic (pre-traffic): the new version exists but serves nothing yet. The hook
 *   invokes that version directly with a smoke event whose outcome is known (validate-image: a
 *   tiny valid PNG and a text file; the other tasks: an input they must refuse; start-workflow: a
 *   batch it must acknowledge without starting anything; validate-flags: this release's flags
 *   document, which it must accept, and a contradictory one, which it must refuse).
 * - AfterAllowTraffic (post-traffic): the aliases serve the new versions. The hook runs the
 *   whole workflow on a valid and an invalid smoke image and expects LABELED and REJECTED.
 *
 * Whatever happens inside a check (a throw, a timeout, a bad configuration), the hook reports
 * Succeeded or Failed with PutLifecycleEventHookExecutionStatus: a hook that never reports
 * leaves the deployment waiting for CodeDeploy's own timeout.
 */

import { randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import {
  type CodeDeployClient,
  PutLifecycleEventHookExecutionStatusCommand,
} from '@aws-sdk/client-codedeploy';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { SmokeTestFailedError } from '../core/errors';
import { flagsValidatorSmokeEvents } from '../core/flags-validation-smoke';
import { bareETag, versionIdOf } from '../core/s3-key';
import { SMOKE_PREFIX } from '../core/smoke';
import type { ObjectRef } from '../core/workflow-schemas';
import { runWorkflow } from './ingest';

export const HookEventSchema = z.object({
  DeploymentId: z.string().min(1),
  LifecycleEventHookExecutionId: z.string().min(1),
});
export type HookEvent = z.infer<typeof HookEventSchema>;

export type HookStatus = 'Succeeded' | 'Failed';

export interface CheckResult {
  check: string;
  ok: boolean;
  detail: string;
}

export interface HookReport {
  status: HookStatus;
  results: CheckResult[];
  error?: string;
}

/**
 * Runs `checks` with a deadline, then reports to CodeDeploy: Succeeded only when every check
 * passed. Throws only when the report itself cannot be sent (Lambda then retries the hook).
 */
export async function runHook(
  client: CodeDeployClient,
  event: HookEvent,
  checks: () => Promise<CheckResult[]>,
  deadlineMs: number,
): Promise<HookReport> {
  let report: HookReport;
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new SmokeTestFailedError(`The checks did not finish within ${deadlineMs} ms.`)),
        deadlineMs,
      );
    });
    const results = await Promise.race([checks(), deadline]);
    const ok = results.length > 0 && results.every((result) => result.ok);
    report = { status: ok ? 'Succeeded' : 'Failed', results };
  } catch (error) {
    report = {
      status: 'Failed',
      results: [],
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
  await client.send(
    new PutLifecycleEventHookExecutionStatusCommand({
      deploymentId: event.DeploymentId,
      lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
      status: report.status,
    }),
  );
  return report;
}

// ---------------------------------------------------------------------------------------------
// Smoke objects

/** An 80 x 80 px RGB gradient: the smallest size the validator (and Rekognition) accepts. */
export const SMOKE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAFAAAABQCAIAAAABc2X6AAAA6ElEQVR4AeXBARHAQBADITob4S+9Qg4+XkRERERERERERERERERERERERERERERERERERERERERERERERERERExOmZwyOWVyyuSUySmTUyanTE6ZnDI5ZXLK5JTJKZNTJqdMTpmcMjllcsrklMkpk1Mmp0xOmZwyOWVyyuSUySmTUyanTE6ZnDI5ZXLK5JTJKZNTJqdMTpmcMjllcsrklMkpk1Mmp0xOmZwyOWVyyuSUySmTUyanTE6ZnDI5ZXLK5JTJKZNTJqdMTpmcMjllcsrklMkpk1Mmp0xOmZwyOWVyyuSUySmTU37nPQOYaKhHFQAAAABJRU5ErkJggg==',
  'base64',
);
export const SMOKE_INVALID = Buffer.from('This is a deployment smoke test, not an image.\n');

/**
 * The smoke objects' bodies for one run, unique to it: SMOKE_PNG with a tEXt chunk after its
 * header, and SMOKE_INVALID with a line. A versioned bucket gives every put a new version
 * anyway; unique bytes also give it a new ETag, so that a run is never taken for a duplicate
 * where versions are not kept (the local cloud's S3, a bucket with versioning suspended).
 */
export function smokeBodies(stamp: string): { png: Buffer; invalid: Buffer } {
  const text = Buffer.from(`Comment\0deployment smoke test ${stamp}`, 'latin1');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(text.length);
  const typeAndData = Buffer.concat([Buffer.from('tEXt', 'ascii'), text]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  // Signature (8) + IHDR chunk (4 + 4 + 13 + 4): the text chunk goes right after.
  const headerEnd = 33;
  return {
    png: Buffer.concat([
      SMOKE_PNG.subarray(0, headerEnd),
      length,
      typeAndData,
      crc,
      SMOKE_PNG.subarray(headerEnd),
    ]),
    invalid: Buffer.concat([SMOKE_INVALID, Buffer.from(`${stamp}\n`)]),
  };
}
export const SMOKE_KEYS = { valid: `${SMOKE_PREFIX}valid.png`, invalid: `${SMOKE_PREFIX}invalid.txt` };

export interface SmokeObjects {
  valid: ObjectRef;
  invalid: ObjectRef;
}

/**
 * Writes both smoke objects, with bytes unique to this run (smokeBodies), so a workflow run
 * never finds them already done. Their sequencer is the clock, in S3's hexadecimal form: only the
 * hooks write these keys, and the ingest ignores their events.
 */
export async function putSmokeObjects(client: S3Client, bucket: string, now: Date): Promise<SmokeObjects> {
  const sequencer = now.getTime().toString(16).toUpperCase().padStart(18, '0');
  const put = async (key: string, body: Buffer, contentType: string): Promise<ObjectRef> => {
    const result = await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
    );
    if (!result.ETag) throw new SmokeTestFailedError(`PutObject of ${key} returned no ETag.`);
    return {
      bucket,
      key,
      ...versionIdOf(result.VersionId),
      eTag: bareETag(result.ETag),
      size: body.length,
      sequencer,
    };
  };
  const bodies = smokeBodies(`${now.toISOString()} ${randomUUID()}`);
  const [valid, invalid] = await Promise.all([
    put(SMOKE_KEYS.valid, bodies.png, 'image/png'),
    put(SMOKE_KEYS.invalid, bodies.invalid, 'text/plain'),
  ]);
  return { valid, invalid };
}

/** Removes exactly the versions this run wrote (best effort: the bucket expires old versions). */
export async function deleteSmokeObjects(client: S3Client, objects: SmokeObjects): Promise<void> {
  await Promise.allSettled(
    [objects.valid, objects.invalid].map((object) =>
      client.send(
        new DeleteObjectCommand({
          Bucket: object.bucket,
          Key: object.key,
          ...(object.versionId ? { VersionId: object.versionId } : {}),
        }),
      ),
    ),
  );
}

async function withSmokeObjects(
  client: S3Client,
  bucket: string,
  now: Date,
  use: (objects: SmokeObjects) => Promise<CheckResult[]>,
): Promise<CheckResult[]> {
  const objects = await putSmokeObjects(client, bucket, now);
  try {
    return await use(objects);
  } finally {
    await deleteSmokeObjects(client, objects);
  }
}

const workflowInput = (object: ObjectRef, now: Date) => ({ object, eventTime: now.toISOString() });

// ---------------------------------------------------------------------------------------------
// Pre-traffic: invoke the new version

/** How a function's new version is smoke-tested before it gets traffic. */
export const SMOKE_PLANS = [
  'validate-image',
  'task-input',
  'queue-batch',
  'http-openapi',
  'scheduled',
  'flags-validator',
] as const;
export type SmokePlan = (typeof SMOKE_PLANS)[number];

export type Invocation =
  | { ok: true; result: unknown }
  | { ok: false; errorType: string; errorMessage: string; statusCode: number | undefined };

/** Invokes one version synchronously; a function error is a value, not a throw. */
export async function invokeVersion(
  client: LambdaClient,
  functionArn: string,
  payload: unknown,
): Promise<Invocation> {
  const response = await client.send(
    new InvokeCommand({
      FunctionName: functionArn,
      InvocationType: 'RequestResponse',
      Payload: Buffer.from(JSON.stringify(payload)),
    }),
  );
  const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (response.FunctionError) {
    const error = (body ?? {}) as { errorType?: unknown; errorMessage?: unknown };
    return {
      ok: false,
      errorType: typeof error.errorType === 'string' ? error.errorType : response.FunctionError,
      errorMessage: typeof error.errorMessage === 'string' ? error.errorMessage : text,
      statusCode: response.StatusCode,
    };
  }
  return { ok: true, result: body };
}

const describe = (invocation: Invocation) =>
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
  detail: describe(invocation),
});

export interface PreTrafficDeps {
  lambda: LambdaClient;
  s3: S3Client;
  bucket: string;
  now: Date;
}

/** The function's NEW version (a version ARN) and how to smoke-test it. */
export interface SmokeTarget {
  plan: SmokePlan;
  functionArn: string;
}

export async function preTrafficChecks(deps: PreTrafficDeps, target: SmokeTarget): Promise<CheckResult[]> {
  const { functionArn } = target;
  switch (target.plan) {
    case 'validate-image':
      return withSmokeObjects(deps.s3, deps.bucket, deps.now, async ({ valid, invalid }) => {
        const [accepted, rejected] = await Promise.all([
          invokeVersion(deps.lambda, functionArn, workflowInput(valid, deps.now)),
          invokeVersion(deps.lambda, functionArn, workflowInput(invalid, deps.now)),
        ]);
        const metadata = accepted.ok ? (accepted.result as Record<string, unknown> | null) : null;
        return [
          {
            check: 'accepts an 80 x 80 PNG',
            ok: metadata?.format === 'png' && metadata.width === 80 && metadata.height === 80,
            detail: describe(accepted),
          },
          expectRejection('rejects a text file', rejected, 'ImageRejected', 'UNSUPPORTED_FORMAT'),
        ];
      });
    case 'task-input': {
      // Loads the bundle, validates its environment and refuses the input: no side effects.
      const invocation = await invokeVersion(deps.lambda, functionArn, { smokeTest: true });
      return [expectRejection('refuses an invalid task input', invocation, 'InvalidTaskInput')];
    }
    case 'http-openapi': {
      // The API's one public route, as API Gateway delivers it: no token, no data read.
      const invocation = await invokeVersion(deps.lambda, functionArn, smokeHttpEvent(deps.now));
      const response = invocation.ok
        ? (invocation.result as { statusCode?: number; body?: string } | null)
        : null;
      let document: { openapi?: unknown } | undefined;
      try {
        document = JSON.parse(response?.body ?? '') as { openapi?: unknown };
      } catch {
        document = undefined;
      }
      return [
        {
          check: 'serves GET /openapi.json',
          ok:
            response?.statusCode === 200 &&
            typeof document?.openapi === 'string' &&
            document.openapi.startsWith('3.1'),
          detail: describe(invocation),
        },
      ];
    }
    case 'scheduled': {
      // Its own schedule's event: it applies the current flags, which is what it always does.
      const invocation = await invokeVersion(deps.lambda, functionArn, smokeScheduledEvent(deps.now));
      const result = invocation.ok ? (invocation.result as { action?: unknown } | null) : null;
      return [
        {
          check: 'runs its scheduled job',
          ok: typeof result?.action === 'string',
          detail: describe(invocation),
        },
      ];
    }
    case 'flags-validator': {
      // The flags document of this release must pass; a contradictory one must be refused.
      const events = flagsValidatorSmokeEvents();
      const [accepted, refused] = await Promise.all([
        invokeVersion(deps.lambda, functionArn, events.accepted),
        invokeVersion(deps.lambda, functionArn, events.refused),
      ]);
      return [
        { check: 'accepts config/flags.json', ok: accepted.ok, detail: describe(accepted) },
        expectRejection('refuses overlapping label filters', refused, 'FlagsDocumentInvalid'),
      ];
    }
    case 'queue-batch': {
      // S3's test event and an event for a smoke key: both acknowledged, no workflow started.
      const invocation = await invokeVersion(
        deps.lambda,
        functionArn,
        smokeQueueBatch(deps.bucket, deps.now),
      );
      const result = invocation.ok ? (invocation.result as { batchItemFailures?: unknown } | null) : null;
      return [
        {
          check: 'acknowledges a batch without starting a workflow',
          ok: Array.isArray(result?.batchItemFailures) && result.batchItemFailures.length === 0,
          detail: describe(invocation),
        },
      ];
    }
  }
}

/** An HTTP API (payload 2.0) request for GET /openapi.json. */
export function smokeHttpEvent(now: Date) {
  return {
    version: '2.0',
    routeKey: 'GET /openapi.json',
    rawPath: '/openapi.json',
    rawQueryString: '',
    headers: { accept: 'application/json', 'user-agent': 'deployment-smoke-test' },
    isBase64Encoded: false,
    requestContext: {
      accountId: 'smoke',
      apiId: 'smoke',
      domainName: 'smoke.local',
      domainPrefix: 'smoke',
      http: {
        method: 'GET',
        path: '/openapi.json',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'deployment-smoke-test',
      },
      requestId: `smoke-${now.getTime()}`,
      routeKey: 'GET /openapi.json',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

/** An EventBridge Scheduler/rule event, as a schedule delivers it. */
export function smokeScheduledEvent(now: Date) {
  return {
    version: '0',
    id: `smoke-${now.getTime()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: now.toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: {},
  };
}

/** An SQS batch as the event source mapping delivers it. */
export function smokeQueueBatch(bucket: string, now: Date) {
  const record = (messageId: string, body: unknown) => ({
    messageId,
    receiptHandle: `smoke-${messageId}`,
    body: JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(now.getTime()),
      SenderId: 'smoke-test',
      ApproximateFirstReceiveTimestamp: String(now.getTime()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:smoke-test',
    awsRegion: 'us-east-1',
  });
  return {
    Records: [
      record('smoke-test-event', { Event: 's3:TestEvent', Bucket: bucket }),
      // No eTag: were the smoke key not ignored, the ingest would fail this record as malformed,
      // so an empty batchItemFailures proves that nothing was started for it.
      record('smoke-object', {
        Records: [
          {
            eventSource: 'aws:s3',
            eventName: 'ObjectCreated:Put',
            eventTime: now.toISOString(),
            s3: { bucket: { name: bucket }, object: { key: SMOKE_KEYS.valid, size: 1 } },
          },
        ],
      }),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Post-traffic: the workflow end to end

export interface PostTrafficDeps {
  sfn: SFNClient;
  s3: S3Client;
  bucket: string;
  stateMachineArn: string;
  now: Date;
}

/** Runs the workflow (whose tasks now all serve the new versions) on both smoke objects. */
export async function postTrafficChecks(deps: PostTrafficDeps): Promise<CheckResult[]> {
  return withSmokeObjects(deps.s3, deps.bucket, deps.now, async ({ valid, invalid }) => {
    const run = async (check: string, object: ObjectRef, expected: string): Promise<CheckResult> => {
      try {
        const result = await runWorkflow(deps.sfn, deps.stateMachineArn, workflowInput(object, deps.now));
        return {
          check,
          ok: result.outcome === expected,
          detail: `${result.executionArn} ended ${result.outcome ?? '(no outcome)'}`,
        };
      } catch (error) {
        return { check, ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    };
    return Promise.all([
      run('labels a valid image', valid, 'LABELED'),
      run('rejects an invalid file', invalid, 'REJECTED'),
    ]);
  });
}
