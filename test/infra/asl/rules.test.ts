/**
 * The rules of infra/asl/rules.ts, each fed a broken definition: refused with a message naming
 * the state and the field. Intrinsic functions and paths in payload templates, QueryLanguage,
 * Retry and Catch.
 */
import { describe, it } from 'vitest';
import { distributedMap, expectRefused, machine, pass, task } from '../../support/asl';

describe('the static check: intrinsic functions and paths', () => {
  it('refuses an unescaped brace in an intrinsic string literal', () => {
    expectRefused(machine(pass({ Parameters: { 'a.$': 'States.StringToJson(\'{"a":1}\')' } })), {
      field: 'Parameters.a.$',
      message: /unescaped '\{' in a string literal/,
    });
  });

  it('refuses an intrinsic function with the wrong number of arguments', () => {
    expectRefused(machine(task({ Parameters: { 'merged.$': 'States.JsonMerge($.a, $.b)' } })), {
      field: 'Parameters.merged.$',
      message: /States.JsonMerge takes 3 argument\(s\), got 2/,
    });
  });

  it('refuses a context path that does not exist, in a payload, an intrinsic argument or a Choice', () => {
    expectRefused(machine(pass({ Parameters: { 'id.$': '$$.Execution.Arn' } })), {
      field: 'Parameters.id.$',
      message: /no \$\$\.Execution\.Arn/,
    });
    expectRefused(machine(pass({ Parameters: { 'id.$': "States.Format('run {}', $$.Execution.Arn)" } })), {
      field: 'Parameters.id.$',
      message: /no \$\$\.Execution\.Arn/,
    });
    expectRefused(
      machine({
        Type: 'Choice',
        Choices: [{ Variable: '$$.State.Retries', NumericGreaterThan: 1, Next: 'S' }],
        Default: 'S',
      }),
      { field: 'Choices[0].Variable', message: /no \$\$\.State\.Retries/ },
    );
  });

  it('refuses $$.Map outside a Map ItemSelector, even inside the map', () => {
    expectRefused(machine(pass({ Parameters: { 'item.$': '$$.Map.Item.Value' } })), {
      field: 'Parameters.item.$',
      message: /\$\$\.Map exists only in a Map state, in its ItemSelector/,
    });
    const inner = distributedMap();
    inner.ItemProcessor = {
      ...inner.ItemProcessor,
      States: { C: task({ Parameters: { 'i.$': '$$.Map.Item.Index' } }) },
    };
    expectRefused(machine(inner), {
      state: 'S > C',
      field: 'Parameters.i.$',
      message: /\$\$\.Map exists only/,
    });
  });

  it('refuses a ResultPath into the context object', () => {
    expectRefused(machine(pass({ ResultPath: '$$.Execution.Input' })), {
      field: 'ResultPath',
      message: /cannot point into the context object/,
    });
  });

  it('refuses a variable no Assign sets', () => {
    expectRefused(machine(pass({ Parameters: { 'n.$': '$count' } })), {
      field: 'Parameters.n.$',
      message: /no Assign sets the variable \$count/,
    });
  });
});

describe('the static check: QueryLanguage', () => {
  it('refuses an unknown QueryLanguage, at the top and on a state', () => {
    expectRefused(machine(pass(), { QueryLanguage: 'XPath' }), {
      state: '(top level)',
      field: 'QueryLanguage',
      message: /"XPath" is not one of JSONPath, JSONata/,
    });
    expectRefused(machine(pass({ QueryLanguage: 'jsonpath' })), {
      field: 'QueryLanguage',
      message: /not one of/,
    });
  });

  it('refuses JSONata fields in a JSONPath state', () => {
    expectRefused(machine(task({ Arguments: { a: 1 } })), {
      field: 'Arguments',
      message: /a JSONPath state has no Arguments/,
    });
    expectRefused(
      machine({ Type: 'Choice', Choices: [{ Condition: '{% true %}', Next: 'S' }], Default: 'S' }),
      { field: 'Choices', message: /no Condition/ },
    );
  });

  it('refuses JSONPath fields in a JSONata state, inherited from the top', () => {
    expectRefused(machine(task({ Parameters: { a: 1 } }), { QueryLanguage: 'JSONata' }), {
      field: 'Parameters',
      message: /a JSONata state has no JSONPath fields/,
    });
    expectRefused(machine(task({ QueryLanguage: 'JSONata', OutputPath: '$.a' })), {
      field: 'OutputPath',
      message: /a JSONata state has no JSONPath fields/,
    });
  });
});

describe('the static check: Retry and Catch', () => {
  it.each([
    ['BackoffRate below 1', { BackoffRate: 0.5 }, 'Retry[0].BackoffRate', /at least 1.0/],
    [
      'an unknown JitterStrategy',
      { JitterStrategy: 'HALF' },
      'Retry[0].JitterStrategy',
      /not one of FULL, NONE/,
    ],
    ['MaxDelaySeconds of 0', { MaxDelaySeconds: 0 }, 'Retry[0].MaxDelaySeconds', /integer from 1/],
    ['IntervalSeconds of 0.5', { IntervalSeconds: 0.5 }, 'Retry[0].IntervalSeconds', /integer from 1/],
    ['MaxAttempts below 0', { MaxAttempts: -1 }, 'Retry[0].MaxAttempts', /integer from 0/],
  ])('refuses %s', (_case, retrier, field, message) => {
    expectRefused(machine(task({ Retry: [{ ErrorEquals: ['States.TaskFailed'], ...retrier }] })), {
      field,
      message,
    });
  });

  it('refuses States.ALL that is not alone in the last retrier or catcher', () => {
    expectRefused(machine(task({ Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }] })), {
      field: 'Retry[0].ErrorEquals',
      message: /States.ALL must be alone, in the last retrier/,
    });
    expectRefused(machine(task({ Catch: [{ ErrorEquals: ['States.ALL', 'X'], Next: 'S' }] })), {
      field: 'Catch[0].ErrorEquals',
      message: /in the last catcher/,
    });
  });
});
