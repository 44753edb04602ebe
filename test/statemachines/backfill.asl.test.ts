/**
 * The backfill ASL, checked statically: the local Step Functions engine does not run Distributed
 * Map ItemReaders, so locally the same decision runs through `npm run reconcile` instead
 * (test/local/reconcile.test.ts). Its Defaults and ApplyDefaults states do run on the local
 * engine; the States Language rules (for the whole file) are checked by test/infra/asl.
 */
import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { ERROR_NAMES } from '../../functions/core/errors';
import { loadStageConfig } from '../../infra/config/stage-config';
import {
  BACKFILL_ASL_PATH,
  BACKFILL_MAP_STATE,
  BACKFILL_PLACEHOLDERS,
  backfillDefinition,
} from '../../infra/constructs/backfill-workflow';

interface Retrier {
  ErrorEquals: string[];
  MaxAttempts?: number;
  JitterStrategy?: string;
  MaxDelaySeconds?: number;
}
interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Retry?: Retrier[];
  Catch?: { ErrorEquals: string[] }[];
  [field: string]: unknown;
}
interface Machine {
  QueryLanguage?: string;
  StartAt: string;
  States: Record<string, State>;
}

const text = readFileSync(BACKFILL_ASL_PATH, 'utf8');
const asl = JSON.parse(text) as Machine;
const map = asl.States[BACKFILL_MAP_STATE] as State & {
  ItemReader: { Resource: string; Parameters: Record<string, string> };
  ItemSelector: Record<string, string>;
  ItemProcessor: { ProcessorConfig: Record<string, string> } & Machine;
  ResultPath?: null;
};
const childStates = Object.entries(map.ItemProcessor.States);

/** `${Name}`: a placeholder as the ASL writes it. */
const ph = (name: string) => `\${${name}}`;

const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.TooManyRequestsException',
];

describe('statemachines/backfill.asl.json', () => {
  it('is JSONPath, a Distributed Map over the bucket listing with Express children', () => {
    expect(asl.QueryLanguage).toBe('JSONPath');
    expect(map.Type).toBe('Map');
    expect(map.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:listObjectsV2',
      Parameters: { Bucket: ph('ImagesBucketName'), 'Prefix.$': '$.prefix' },
    });
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
    // Each child gets the bucket, the listed object and the execution's options.
    expect(map.ItemSelector).toEqual({
      bucket: ph('ImagesBucketName'),
      'object.$': '$$.Map.Item.Value',
      'options.$': '$',
    });
    // The map's results are not kept: at a million objects they would pass the 256 KiB state limit.
    expect(map.ResultPath).toBeNull();
  });

  it('uses exactly the placeholders the CDK construct substitutes', () => {
    const placeholders = new Set([...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((match) => match[1]));
    expect(placeholders).toEqual(new Set(BACKFILL_PLACEHOLDERS));
  });

  it('takes MaxConcurrency and ToleratedFailurePercentage from the stage config, through the construct', () => {
    for (const stage of ['dev', 'prod'] as const) {
      const config = loadStageConfig(stage);
      const rendered = JSON.parse(backfillDefinition(config.backfill)) as Machine;
      expect(rendered.States[BACKFILL_MAP_STATE]).toMatchObject({
        MaxConcurrency: config.backfill.maxConcurrency,
        ToleratedFailurePercentage: config.backfill.toleratedFailurePercentage,
      });
    }
    expect(loadStageConfig('prod').backfill.maxConcurrency).toBeGreaterThan(
      loadStageConfig('dev').backfill.maxConcurrency,
    );
  });

  it('invokes the reconcile function through its placeholder and retries with capped, jittered backoff', () => {
    const tasks = childStates.filter(([, state]) => state.Type === 'Task');
    expect(tasks).toHaveLength(1);
    const [, task] = tasks[0] as [string, State];
    expect(task.Resource).toBe(ph('ReconcileObjectFunctionArn'));
    const service = task.Retry?.find((retrier) => retrier.ErrorEquals.includes('Lambda.ServiceException'));
    expect(service?.ErrorEquals).toEqual(LAMBDA_SERVICE_ERRORS);
    for (const retrier of task.Retry ?? []) {
      expect(retrier).toMatchObject({ JitterStrategy: 'FULL', MaxDelaySeconds: expect.any(Number) });
    }
  });

  it('matches only error names the functions throw, or Step Functions and Lambda built-ins', () => {
    const known = new Set<string>([...ERROR_NAMES, ...LAMBDA_SERVICE_ERRORS]);
    const used = [...Object.values(asl.States), ...childStates.map(([, state]) => state)]
      .flatMap((state) => [...(state.Retry ?? []), ...(state.Catch ?? [])])
      .flatMap((rule) => rule.ErrorEquals);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !name.startsWith('States.') && !known.has(name))).toEqual([]);
  });

  it('has no dangling transitions, at either level', () => {
    for (const machine of [asl, map.ItemProcessor]) {
      expect(machine.States[machine.StartAt]).toBeDefined();
      for (const state of Object.values(machine.States)) {
        if (state.Next) expect(machine.States[state.Next]).toBeDefined();
        else expect(state.End).toBe(true);
      }
    }
  });

  describe('fills in the defaults of the execution input and keeps what the caller gave (run on the local engine)', () => {
    /** The states from StartAt up to the map, the last one made terminal. */
    const leading: Record<string, State> = {};
    for (
      let name = asl.StartAt as string | undefined;
      name && name !== BACKFILL_MAP_STATE && !(name in leading);
    ) {
      const state: State = asl.States[name] as State;
      leading[name] = state.Next === BACKFILL_MAP_STATE ? { ...state, Next: undefined, End: true } : state;
      name = state.Next;
    }
    // Built once: the engine validates a definition (asl-validator, about half a second) when built.
    const machine = new StateMachine({
      StartAt: asl.StartAt,
      States: JSON.parse(JSON.stringify(leading)),
    } as never);
    const run = (input: Parameters<typeof machine.run>[0]) => machine.run(input).result;

    it('is the two Pass states before the map, with the defaults as plain JSON (no string literal)', () => {
      expect(Object.keys(leading)).toEqual(['Defaults', 'ApplyDefaults']);
      expect(Object.values(leading).map((state) => state.Type)).toEqual(['Pass', 'Pass']);
      expect(leading.Defaults?.Parameters).toEqual({
        defaults: { prefix: '', relabel: false },
        'input.$': '$',
      });
    });

    it.each([
      ['no field at all', {}, { prefix: '', relabel: false }],
      ['only a prefix', { prefix: 'albums/' }, { prefix: 'albums/', relabel: false }],
      ['only relabel', { relabel: true }, { prefix: '', relabel: true }],
      [
        'only a label model version',
        { labelModelVersion: '3.0' },
        { prefix: '', relabel: false, labelModelVersion: '3.0' },
      ],
      [
        'every field',
        { prefix: 'albums/', relabel: true, labelModelVersion: '3.0' },
        { prefix: 'albums/', relabel: true, labelModelVersion: '3.0' },
      ],
      [
        'an empty prefix and relabel false, given explicitly',
        { prefix: '', relabel: false },
        { prefix: '', relabel: false },
      ],
    ])('with %s', async (_case, input, options) => {
      expect(await run(input)).toEqual(options);
    });
  });
});
