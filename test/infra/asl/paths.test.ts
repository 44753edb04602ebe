import { describe, expect, it } from 'vitest';
import { type PathScope, pathProblems } from '../../../infra/asl/paths';

const outsideMap: PathScope = { mapItem: false, variables: new Set() };
const inItemSelector: PathScope = { mapItem: true, variables: new Set() };

describe('context-object paths', () => {
  it.each([
    '$$',
    '$$.Execution.Id',
    '$$.Execution.Input.prefix.deeper[0]',
    '$$.Execution.Name',
    '$$.Execution.RoleArn',
    '$$.Execution.StartTime',
    '$$.Execution.RedriveCount',
    '$$.Execution.RedriveTime',
    '$$.State.Name',
    '$$.State.EnteredTime',
    '$$.State.RetryCount',
    '$$.StateMachine.Id',
    '$$.StateMachine.Name',
    '$$.Task.Token',
    "$$['Execution']['Id']",
  ])('accepts %s anywhere', (path) => {
    expect(pathProblems(path, outsideMap)).toEqual([]);
  });

  it.each([
    '$$.Map.Item.Value',
    '$$.Map.Item.Value.Key',
    '$$.Map.Item.Index',
    '$$.Map.Item.Key',
    '$$.Map.Item.Source',
  ])('accepts %s in a Map state ItemSelector', (path) => {
    expect(pathProblems(path, inItemSelector)).toEqual([]);
  });

  it.each([
    ['$$.Execution.Bogus', /no \$\$\.Execution\.Bogus \(\$\$\.Execution has Id, Input/],
    ['$$.Executions.Id', /no \$\$\.Executions/],
    ['$$.State.Name.First', /\$\$\.State\.Name is a value/],
    ['$$.Map.Item.Value', /\$\$\.Map exists only in a Map state, in its ItemSelector/],
    ['$$.Map.Item.Size', /\$\$\.Map exists only/],
    ['$$[0]', /only named fields/],
  ])('refuses %s outside a Map ItemSelector', (path, message) => {
    expect(pathProblems(path, outsideMap).join('\n')).toMatch(message);
  });

  it('refuses a Map.Item field that does not exist, even in an ItemSelector', () => {
    expect(pathProblems('$$.Map.Item.Size', inItemSelector).join('\n')).toMatch(
      /no \$\$\.Map\.Item\.Size \(\$\$\.Map\.Item has Index, Key, Value, Source\)/,
    );
  });
});

describe('input paths and variables', () => {
  it.each([
    '$',
    '$.a',
    '$.a.b[0]',
    "$['a-b'].c",
    '$.a[*].b',
    '$..b',
    '$.a[1:3]',
    '$.a[?(@.b > 1)]',
    "$.a['x','y']",
  ])('accepts %s', (path) => {
    expect(pathProblems(path, outsideMap)).toEqual([]);
  });

  it.each([
    ['abc', /not a path/],
    ['$.', /a field name must follow/],
    ['$.a[', /unclosed/],
    ['$.a[b]', /is not an index, a slice/],
    ['$a b', /unexpected ' '/],
  ])('refuses %s', (path, message) => {
    expect(pathProblems(path, { ...outsideMap, variables: new Set(['a']) }).join('\n')).toMatch(message);
  });

  it('needs brackets for a name beyond letters, digits and _ when the path is an intrinsic argument', () => {
    const intrinsic = { ...outsideMap, inIntrinsic: true };
    expect(pathProblems('$.dest-code', intrinsic).join('\n')).toMatch(/write \['dest-code'\]/);
    expect(pathProblems("$['dest-code']", intrinsic)).toEqual([]);
    expect(pathProblems('$.dest_code2', intrinsic)).toEqual([]);
    expect(pathProblems('$.dest-code', outsideMap)).toEqual([]);
  });

  it('accepts a variable only when an Assign sets it', () => {
    expect(pathProblems('$total.sum', { ...outsideMap, variables: new Set(['total']) })).toEqual([]);
    expect(pathProblems('$total.sum', outsideMap).join('\n')).toMatch(/no Assign sets the variable \$total/);
  });
});
