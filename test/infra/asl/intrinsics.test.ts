import { describe, expect, it } from 'vitest';
import {
  analyzeIntrinsic,
  INTRINSIC_FUNCTIONS,
  IntrinsicSyntaxError,
  intrinsicArgs,
  parseIntrinsic,
} from '../../../infra/asl/intrinsics';

/** The text as it reads once the JSON file is parsed (String.raw keeps backslashes as written). */
const problemsOf = (text: string) => analyzeIntrinsic(text).problems;

describe('intrinsic functions: the grammar', () => {
  it.each([
    // The developer guide's own examples.
    "States.Format('Hello, my name is {}.', $.name)",
    "States.Array('Foo', 2022, $.someJson, null)",
    'States.JsonMerge($.json1, $.json2, false)',
    'States.ArrayPartition($.inputArray,4)',
    'States.ArrayRange(1, 9, 2)',
    'States.MathRandom($.start, $.end)',
    'States.MathRandom(1, 999, 42)',
    'States.MathAdd($.value1, -1)',
    'States.Hash($.Data, $.Algorithm)',
    'States.UUID()',
    'States.Array()',
    // The guide's nine-call example, with two {} for its two values (it writes three, which the
    // rule 'as many remaining arguments as {}' refuses).
    "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))",
    // Reserved characters, escaped.
    String.raw`States.StringToJson('\{"prefix":"","relabel":false\}')`,
    String.raw`States.Format('it\'s \{literal\} and a \\ backslash: {}', $.x)`,
    // Paths with brackets, quotes and filters.
    "States.Format('{}', $['a b'])",
    "States.ArrayLength($.items[?(@.kind == 'x, y')])",
    "States.Format('{}', $$.Execution.Id)",
  ])('accepts %s', (text) => {
    expect(problemsOf(text)).toEqual([]);
  });

  it('reads literals with their escapes resolved, and paths and nested calls as written', () => {
    const call = parseIntrinsic(
      String.raw`States.Format('a \{\} b {} \\ \'q\'', States.JsonToString($.x), $$.Map.Item.Value)`,
    );
    const [template] = intrinsicArgs(call, 'literal');
    expect(template).toMatchObject({ value: "a {} b {} \\ 'q'", placeholders: 1 });
    expect(intrinsicArgs(call, 'path').map((arg) => arg.path)).toEqual(['$$.Map.Item.Value', '$.x']);
    expect(call.args[1]).toMatchObject({ kind: 'call', name: 'States.JsonToString' });
  });

  it.each([
    ['{', `States.StringToJson('{"a":1}')`, /unescaped '\{'/],
    ['}', "States.Array('a}')", /unescaped '\}'/],
    ['{} outside a Format template', "States.Array('{}')", /unescaped '\{'/],
    ['{} in a later Format argument', "States.Format('{}', '{}')", /unescaped '\{'/],
    ['a backslash that escapes nothing', String.raw`States.Array('a\b')`, /backslash .* must escape/],
    ['a trailing backslash', String.raw`States.Array('a\')`, /unterminated|backslash/],
  ])('refuses a reserved character in a string literal: %s', (_case, text, message) => {
    expect(problemsOf(text).join('\n')).toMatch(message);
  });

  it.each([
    ['an unknown function', 'States.Foo($)', /unknown intrinsic function 'States.Foo'/],
    ['a name outside States.', 'Custom.Fn($)', /not an intrinsic function name/],
    ['an unterminated string', "States.Array('abc)", /unterminated string literal/],
    ['a missing parenthesis', 'States.Array($.a', /missing '\)'/],
    ['text after the call', "States.Array('x') ", /unexpected text after/],
    ['a bare word', 'States.Array(yes)', /unexpected 'yes'/],
    ['an empty argument', 'States.Array($.a, )', /missing argument|unexpected/],
    ['an unclosed bracket in a path', "States.Array($['a)", /unclosed bracket/],
  ])('refuses malformed text: %s', (_case, text, message) => {
    expect(problemsOf(text).join('\n')).toMatch(message);
  });

  it('reports where the text goes wrong', () => {
    expect(() => parseIntrinsic("States.Array('a', {)")).toThrow(IntrinsicSyntaxError);
    expect(() => parseIntrinsic("States.Array('a', {)")).toThrow(/at character 19/);
  });
});

describe('intrinsic functions: names, arities and argument types', () => {
  const arities: [string, string][] = [
    ['States.StringToJson', '$.a, $.b'],
    ['States.JsonToString', ''],
    ['States.ArrayPartition', '$.a'],
    ['States.ArrayContains', '$.a'],
    ['States.ArrayRange', '1, 2'],
    ['States.ArrayGetItem', '$.a'],
    ['States.ArrayLength', '$.a, 1'],
    ['States.ArrayUnique', ''],
    ['States.Base64Encode', ''],
    ['States.Base64Decode', '$.a, $.b'],
    ['States.Hash', '$.a'],
    ['States.JsonMerge', '$.a, $.b'],
    ['States.MathRandom', '1'],
    ['States.MathRandom', '1, 2, 3, 4'],
    ['States.MathAdd', '1, 2, 3'],
    ['States.StringSplit', '$.a'],
    ['States.UUID', '$.a'],
    ['States.Format', ''],
  ];

  it('knows every function Step Functions defines', () => {
    expect(Object.keys(INTRINSIC_FUNCTIONS).sort()).toEqual(
      [...new Set(arities.map(([name]) => name)), 'States.Array'].sort(),
    );
  });

  it.each(arities)('refuses %s(%s): the wrong number of arguments', (name, args) => {
    expect(problemsOf(`${name}(${args})`).join('\n')).toMatch(new RegExp(`${name} takes .* got`));
  });

  it.each([
    [
      'a template with more {} than arguments',
      "States.Format('{} {}', $.a)",
      /2 \{\} placeholder\(s\) for 1 argument/,
    ],
    [
      'a template with fewer {} than arguments',
      "States.Format('{}', $.a, $.b)",
      /1 \{\} placeholder\(s\) for 2/,
    ],
    ['a StringToJson literal that is not JSON', String.raw`States.StringToJson('\{a\}')`, /not JSON/],
    ['a literal where an array is needed', "States.ArrayLength('abc')", /must be an array or object/],
    ['a deep merge', 'States.JsonMerge($.a, $.b, true)', /must be false/],
    ['an unknown hash algorithm', "States.Hash($.a, 'SHA-3')", /must be one of MD5, SHA-1/],
    ['a literal where a path is needed', "States.JsonToString('x')", /must be a path/],
    ['a string where a number is needed', "States.MathAdd('1', 2)", /must be a number/],
    ['a number where a string is needed', 'States.StringSplit(12, $.sep)', /must be a string/],
  ])('refuses %s', (_case, text, message) => {
    expect(problemsOf(text).join('\n')).toMatch(message);
  });

  it('refuses more than 10 intrinsic functions in one field', () => {
    const nested = Array.from({ length: 10 }).reduce<string>((inner) => `States.Array(${inner})`, '$.a');
    expect(problemsOf(nested)).toEqual([]);
    expect(problemsOf(`States.Array(${nested})`).join('\n')).toMatch(/11 intrinsic functions in one field/);
  });
});
