// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${Placeholders} are the ASL substitution syntax under test
import { describe, expect, it } from 'vitest';
import { substituteDefinition } from '../../../infra/asl/substitute';

describe('substituteDefinition (CDK definitionSubstitutions / CloudFormation DefinitionSubstitutions)', () => {
  it('replaces every occurrence of ${Key} with its value', () => {
    const text = '{"A":"${Fn}","B":"${Fn}","C":"${Table}"}';

    const result = substituteDefinition(text, {
      Fn: 'arn:aws:lambda:us-east-1:000000000000:function:f:live',
      Table: 't',
    });

    expect(JSON.parse(result)).toEqual({
      A: 'arn:aws:lambda:us-east-1:000000000000:function:f:live',
      B: 'arn:aws:lambda:us-east-1:000000000000:function:f:live',
      C: 't',
    });
  });

  it('inserts values verbatim, without JSON escaping or pattern semantics', () => {
    const result = substituteDefinition('"${V}"', { V: 'a$&b$1' });

    expect(result).toBe('"a$&b$1"');
  });

  it('ignores substitutions whose key does not occur', () => {
    expect(substituteDefinition('{"A":"${X}"}', { X: 'x', Unused: 'u' })).toBe('{"A":"x"}');
  });

  it('leaves JSONPath and intrinsic functions alone', () => {
    const text = '{"P.$":"States.Format(\'{}-{}\', $.a, $$.Execution.Id)"}';

    expect(substituteDefinition(text, {})).toBe(text);
  });

  it('throws an error listing every placeholder left unresolved', () => {
    const text = '{"A":"${Known}","B":"${MissingOne}","C":"${MissingTwo}","D":"${MissingOne}"}';

    expect(() => substituteDefinition(text, { Known: 'k' })).toThrow(
      'Definition has unresolved substitution placeholder(s): ${MissingOne}, ${MissingTwo} (substitutions given: Known)',
    );
  });
});
