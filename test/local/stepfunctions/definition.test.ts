// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${Placeholders} are the ASL substitution syntax under test
import { describe, expect, it } from 'vitest';
import { analyzeDefinition, prepareRunDefinition } from '../../../local/stepfunctions';
import { fnArn, labelImageDefinition } from './helpers';

const task = (resource: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ StartAt: 'T', States: { T: { Type: 'Task', Resource: resource, End: true, ...extra } } });

describe('analyzeDefinition', () => {
  it('finds every Lambda Task state, including those in Parallel branches and Map processors', () => {
    const definition = JSON.stringify({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'InBranch',
              States: {
                InBranch: {
                  Type: 'Task',
                  Resource: 'arn:aws:states:::lambda:invoke',
                  Parameters: { FunctionName: fnArn('a'), 'Payload.$': '$' },
                  End: true,
                },
              },
            },
          ],
          Next: 'M',
        },
        M: {
          Type: 'Map',
          ItemProcessor: {
            StartAt: 'InMap',
            States: { InMap: { Type: 'Task', Resource: fnArn('b'), End: true } },
          },
          End: true,
        },
      },
    });

    const { tasks } = analyzeDefinition(definition);

    expect(Object.fromEntries(tasks)).toEqual({
      InBranch: { kind: 'lambda:invoke', resource: 'arn:aws:states:::lambda:invoke' },
      InMap: { kind: 'lambda-arn', resource: fnArn('b') },
    });
  });

  it('accepts the substituted test workflow', () => {
    expect([...analyzeDefinition(labelImageDefinition()).tasks.keys()]).toEqual([
      'DetectLabels',
      'StoreLabels',
      'MarkInvalid',
    ]);
  });

  it('rejects a placeholder left in a Resource (ARN checks are on)', () => {
    expect(() => analyzeDefinition(task('${MissingFunctionArn}'))).toThrow(
      /Invalid State Machine Definition/,
    );
  });

  it('rejects missing Next targets with InvalidDefinition', () => {
    const definition = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } });

    expect(() => analyzeDefinition(definition)).toThrow(
      expect.objectContaining({ type: 'InvalidDefinition' }),
    );
  });

  it('rejects invalid JSON', () => {
    expect(() => analyzeDefinition('{"StartAt":')).toThrow(/INVALID_JSON_DESCRIPTION/);
  });

  it('rejects resources other than Lambda, naming the state', () => {
    expect(() => analyzeDefinition(task('arn:aws:states:::dynamodb:putItem', { Parameters: {} }))).toThrow(
      /State 'T': Resource 'arn:aws:states:::dynamodb:putItem' is not supported locally/,
    );
    expect(() =>
      analyzeDefinition(task('arn:aws:states:::lambda:invoke.waitForTaskToken', { Parameters: {} })),
    ).toThrow(/not supported locally/);
  });

  it('rejects what the library would silently ignore or fail on: JSONata and Assign', () => {
    const jsonata = JSON.stringify({
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: { A: { Type: 'Pass', End: true } },
    });
    const assign = JSON.stringify({
      StartAt: 'A',
      States: { A: { Type: 'Pass', Assign: { x: 1 }, End: true } },
    });

    expect(() => analyzeDefinition(jsonata)).toThrow(/JSONata/);
    expect(() => analyzeDefinition(assign)).toThrow(/Assign/);
  });
});

describe('prepareRunDefinition', () => {
  const retrying = JSON.stringify({
    StartAt: 'T',
    States: {
      T: {
        Type: 'Task',
        Resource: fnArn('f'),
        Retry: [
          {
            ErrorEquals: ['A'],
            IntervalSeconds: 2,
            BackoffRate: 2,
            MaxAttempts: 3,
            MaxDelaySeconds: 10,
            JitterStrategy: 'FULL',
          },
          { ErrorEquals: ['B'] },
        ],
        End: true,
      },
    },
  });

  it('scales IntervalSeconds (default 1) and MaxDelaySeconds, keeping backoff, attempts and jitter', () => {
    const { definition } = analyzeDefinition(retrying);

    const run = prepareRunDefinition(definition, { retryIntervalScale: 0.01, defaultTimeoutSeconds: 300 });

    const state = run.States.T as unknown as { Retry: Record<string, unknown>[] };
    expect(state.Retry[0]).toEqual({
      ErrorEquals: ['A'],
      IntervalSeconds: 0.02,
      BackoffRate: 2,
      MaxAttempts: 3,
      MaxDelaySeconds: 0.1,
      JitterStrategy: 'FULL',
    });
    expect(state.Retry[1]).toEqual({ ErrorEquals: ['B'], IntervalSeconds: 0.01 });
  });

  it('leaves retries untouched at scale 1 and does not modify the analyzed definition', () => {
    const { definition } = analyzeDefinition(retrying);

    const run = prepareRunDefinition(definition, { retryIntervalScale: 1, defaultTimeoutSeconds: 300 });

    expect((run.States.T as unknown as { Retry: unknown[] }).Retry).toEqual(
      JSON.parse(retrying).States.T.Retry,
    );
    expect(definition).toEqual(JSON.parse(retrying));
  });

  it('bounds the execution and Task timeouts by the execution limit (Express: 300 s)', () => {
    const { definition } = analyzeDefinition(task(fnArn('f')));

    const run = prepareRunDefinition(definition, { retryIntervalScale: 1, defaultTimeoutSeconds: 300 });

    expect(run.TimeoutSeconds).toBe(300);
    expect((run.States.T as unknown as { TimeoutSeconds: number }).TimeoutSeconds).toBe(300);
  });
});
