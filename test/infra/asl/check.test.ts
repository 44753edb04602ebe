/**
 * The whole static check (infra/asl/check.ts): asl-validator's findings located at their state
 * and field, next to the project's rules (tested one by one in rules.test.ts and
 * resources.test.ts); the real workflows are checked in workflows.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { AslDefinitionError, assertValidDefinition, checkDefinition } from '../../../infra/asl/check';
import { distributedMap, FUNCTION_ARN, machine, pass } from '../../support/asl';

describe('the static check: valid definitions pass', () => {
  it('accepts a small definition of each state type the workflows use', () => {
    const definition = {
      QueryLanguage: 'JSONPath',
      StartAt: 'Defaults',
      States: {
        Defaults: { Type: 'Pass', Parameters: { defaults: { a: 1 }, 'input.$': '$' }, Next: 'Choose' },
        Choose: {
          Type: 'Choice',
          Choices: [{ Variable: '$.input.a', IsPresent: true, Next: 'Work' }],
          Default: 'Failed',
        },
        Work: {
          Type: 'Task',
          Resource: FUNCTION_ARN,
          Retry: [
            { ErrorEquals: ['States.ALL'], BackoffRate: 2, JitterStrategy: 'FULL', MaxDelaySeconds: 8 },
          ],
          Next: 'Map',
        },
        Map: distributedMap({
          ItemSelector: { 'object.$': '$$.Map.Item.Value', 'at.$': '$$.Execution.StartTime' },
        }),
        Failed: { Type: 'Fail', Error: 'Failed', Cause: 'no input' },
      },
    };
    expect(checkDefinition(definition, { type: 'STANDARD' })).toEqual([]);
  });
});

describe('the static check: asl-validator (structure, transitions, paths)', () => {
  it('locates a schema error at its state and field', () => {
    const problems = checkDefinition(machine(pass({ Parameters: { 'a.$': 'not a path' } })), {
      type: 'STANDARD',
    });
    expect(problems).toContainEqual({
      state: 'S',
      field: 'Parameters.a.$',
      message: expect.stringMatching(/^asl-validator: /),
    });
  });

  it('throws an AslDefinitionError that lists the problems of asl-validator and of the rules', () => {
    const broken = machine({ Type: 'Pass', InputPath: '$$.Nope', Next: 'Nowhere' });
    let thrown: unknown;
    try {
      assertValidDefinition(broken, { type: 'STANDARD' }, 'demo.asl.json');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AslDefinitionError);
    const { message, problems } = thrown as AslDefinitionError;
    expect(message).toMatch(/^demo\.asl\.json breaks \d+ States Language rule\(s\):/);
    expect(message).toMatch(/asl-validator: .*Nowhere/);
    expect(problems).toContainEqual({
      state: 'S',
      field: 'InputPath',
      message: expect.stringMatching(/the context object has no \$\$\.Nope/),
    });
  });

  it('reports a definition that is not JSON', () => {
    expect(() => assertValidDefinition('{', { type: 'STANDARD' })).toThrow(
      /state '\(definition\)', field '\(JSON\)'/,
    );
  });
});
