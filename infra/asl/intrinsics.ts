/**
 * The intrinsic functions of the Amazon States Language (JSONPath states only), parsed by the
 * grammar of the specification and of the Step Functions developer guide (intrinsic-functions):
 *
 *   call    := name '(' [ arg { ',' arg } ] ')'      name: 'States.' then letters, digits, '.', '_'
 *   arg     := string | number | 'true' | 'false' | 'null' | path | call
 *   string  := "'" { character | '\' ( "'" | '{' | '}' | '\' ) } "'"
 *
 * `'`, `{`, `}` and `\` are reserved: in a string literal they appear only escaped (`\{`, which
 * the JSON file writes `\\{`), except the `{}` placeholders of States.Format's template. A
 * backslash that escapes nothing is a run-time error on AWS. Each known function is checked for
 * its arity and for literals of the wrong type; its paths are returned for the path checks
 * (infra/asl/paths.ts). The local engine and asl-validator are both more lenient than this
 * (docs/state-machines.md).
 */

export interface IntrinsicLiteral {
  kind: 'literal';
  value: string | number | boolean | null;
  /** The literal as written (for a string: with its quotes and escapes). */
  raw: string;
  /** For a string: how many unescaped `{}` it holds (only States.Format's template may). */
  placeholders: number;
  offset: number;
}
export interface IntrinsicPath {
  kind: 'path';
  path: string;
  offset: number;
}
export interface IntrinsicCall {
  kind: 'call';
  name: string;
  args: IntrinsicArg[];
  offset: number;
}
export type IntrinsicArg = IntrinsicLiteral | IntrinsicPath | IntrinsicCall;

/** A malformed intrinsic function call; `offset` is where in the text it was found (0-based). */
export class IntrinsicSyntaxError extends Error {
  override readonly name = 'IntrinsicSyntaxError';
  constructor(
    detail: string,
    readonly offset: number,
  ) {
    super(`${detail} (at character ${offset + 1})`);
  }
}

/**
 * What an argument may be. `collection`: an array or object, so a path or a call, never a
 * literal; `path`: a path only; `false`: the literal false (or a path).
 */
type Param = 'any' | 'string' | 'number' | 'path' | 'collection' | 'false' | 'hash-algorithm';
interface Signature {
  params: readonly Param[];
  /** How many of `params` are required (default: all). */
  required?: number;
  /** Any number of further arguments of this kind. */
  rest?: Param;
}

/** Every intrinsic function Step Functions defines, with its parameters. */
export const INTRINSIC_FUNCTIONS: Readonly<Record<string, Signature>> = {
  'States.Format': { params: ['string'], rest: 'any' },
  'States.StringToJson': { params: ['string'] },
  'States.JsonToString': { params: ['path'] },
  'States.Array': { params: [], rest: 'any' },
  'States.ArrayPartition': { params: ['collection', 'number'] },
  'States.ArrayContains': { params: ['collection', 'any'] },
  'States.ArrayRange': { params: ['number', 'number', 'number'] },
  'States.ArrayGetItem': { params: ['collection', 'number'] },
  'States.ArrayLength': { params: ['collection'] },
  'States.ArrayUnique': { params: ['collection'] },
  'States.Base64Encode': { params: ['string'] },
  'States.Base64Decode': { params: ['string'] },
  'States.Hash': { params: ['string', 'hash-algorithm'] },
  'States.JsonMerge': { params: ['collection', 'collection', 'false'] },
  'States.MathRandom': { params: ['number', 'number', 'number'], required: 2 },
  'States.MathAdd': { params: ['number', 'number'] },
  'States.StringSplit': { params: ['string', 'string'] },
  'States.UUID': { params: [] },
};

export const HASH_ALGORITHMS = ['MD5', 'SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const;

/** Step Functions allows at most this many intrinsic functions in one field. */
export const MAX_INTRINSICS_PER_FIELD = 10;

const RESERVED_ESCAPES = new Set(["'", '{', '}', '\\']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z0-9_.]+/y;

/** Whether a `.$` value is an intrinsic function call (rather than a path). */
export function isIntrinsic(value: string): boolean {
  return /^States\./.test(value);
}

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}
  peek(): string | undefined {
    return this.text[this.pos];
  }
  skipSpaces(): void {
    while (this.peek() === ' ') this.pos += 1;
  }
  match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.text)?.[0];
    if (found) this.pos += found.length;
    return found;
  }
  fail(detail: string, at = this.pos): never {
    throw new IntrinsicSyntaxError(detail, at);
  }
}

/** Parses one intrinsic function call (the whole text); throws IntrinsicSyntaxError. */
export function parseIntrinsic(text: string): IntrinsicCall {
  const scanner = new Scanner(text);
  const call = parseCall(scanner);
  if (scanner.pos < text.length) scanner.fail('unexpected text after the closing parenthesis');
  return call;
}

function parseCall(s: Scanner): IntrinsicCall {
  const offset = s.pos;
  const name = s.match(WORD) ?? s.fail('expected an intrinsic function name');
  if (!name.startsWith('States.')) s.fail(`'${name}' is not an intrinsic function name`, offset);
  if (!Object.hasOwn(INTRINSIC_FUNCTIONS, name)) {
    s.fail(`unknown intrinsic function '${name}'`, offset);
  }
  if (s.peek() !== '(') s.fail(`expected '(' after ${name}`);
  s.pos += 1;
  const args: IntrinsicArg[] = [];
  s.skipSpaces();
  if (s.peek() === ')') {
    s.pos += 1;
    return { kind: 'call', name, args, offset };
  }
  for (;;) {
    args.push(parseArg(s, name === 'States.Format' && args.length === 0));
    s.skipSpaces();
    const next = s.peek();
    s.pos += 1;
    if (next === ')') return { kind: 'call', name, args, offset };
    if (next !== ',') s.fail(next === undefined ? `${name}: missing ')'` : "expected ',' or ')'", s.pos - 1);
    s.skipSpaces();
  }
}

function parseArg(s: Scanner, isFormatTemplate: boolean): IntrinsicArg {
  const offset = s.pos;
  const first = s.peek();
  if (first === "'") return parseString(s, isFormatTemplate);
  if (first === '$') return { kind: 'path', path: scanPath(s), offset };
  const number = s.match(NUMBER);
  if (number !== undefined) {
    return { kind: 'literal', value: Number(number), raw: number, placeholders: 0, offset };
  }
  const word = s.match(WORD);
  if (word === 'true' || word === 'false' || word === 'null') {
    const value = word === 'null' ? null : word === 'true';
    return { kind: 'literal', value, raw: word, placeholders: 0, offset };
  }
  if (word !== undefined && s.peek() === '(') {
    s.pos = offset;
    return parseCall(s);
  }
  return s.fail(
    first === undefined
      ? 'missing argument'
      : `unexpected '${word ?? first}': an argument is a 'string', a number, true, false, null, a path or a call`,
    offset,
  );
}

function parseString(s: Scanner, isFormatTemplate: boolean): IntrinsicLiteral {
  const offset = s.pos;
  const { text } = s;
  let value = '';
  let placeholders = 0;
  let i = offset + 1;
  for (;;) {
    const ch = text[i];
    if (ch === undefined) s.fail('unterminated string literal', offset);
    if (ch === "'") break;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined || !RESERVED_ESCAPES.has(next)) {
        s.fail("a backslash in a string literal must escape one of ' { } \\ (write \\\\ for a backslash)", i);
      }
      value += next;
      i += 2;
    } else if (ch === '{' && isFormatTemplate && text[i + 1] === '}') {
      value += '{}';
      placeholders += 1;
      i += 2;
    } else if (ch === '{' || ch === '}') {
      s.fail(
        `unescaped '${ch}' in a string literal: it is reserved, write \\${ch} (\\\\${ch} in the JSON file)`,
        i,
      );
    } else {
      value += ch;
      i += 1;
    }
  }
  s.pos = i + 1;
  return { kind: 'literal', value, raw: text.slice(offset, s.pos), placeholders, offset };
}

/**
 * A path argument runs to the next ',' or ')' (or space) outside brackets and quotes; its syntax
 * is checked by infra/asl/paths.ts.
 */
function scanPath(s: Scanner): string {
  const { text } = s;
  const start = s.pos;
  let depth = 0;
  let quote: string | undefined;
  let i = start;
  for (; i < text.length; i += 1) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i += 1;
      else if (ch === quote) quote = undefined;
    } else if (depth > 0 && (ch === "'" || ch === '"')) quote = ch;
    else if (ch === '[' || ch === '(') depth += 1;
    else if (ch === ']' || ch === ')') {
      if (depth === 0) break;
      depth -= 1;
    } else if (depth === 0 && (ch === ',' || ch === ' ')) break;
  }
  if (quote || depth > 0) s.fail('unclosed bracket or quote in a path', start);
  s.pos = i;
  return text.slice(start, i);
}

/** Every call in the tree, outermost first. */
export function intrinsicCalls(call: IntrinsicCall): IntrinsicCall[] {
  return [call, ...call.args.flatMap((arg) => (arg.kind === 'call' ? intrinsicCalls(arg) : []))];
}

/** Every argument of one kind anywhere in the tree. */
export function intrinsicArgs<K extends IntrinsicArg['kind']>(
  call: IntrinsicCall,
  kind: K,
): Extract<IntrinsicArg, { kind: K }>[] {
  return intrinsicCalls(call).flatMap((c) =>
    c.args.filter((arg): arg is Extract<IntrinsicArg, { kind: K }> => arg.kind === kind),
  );
}

function literalProblem(name: string, index: number, param: Param, arg: IntrinsicArg): string | undefined {
  const position = `${name}'s argument ${index + 1}`;
  if (param === 'path') return arg.kind === 'path' ? undefined : `${position} must be a path`;
  if (arg.kind !== 'literal') return undefined;
  const { value } = arg;
  switch (param) {
    case 'string':
      return typeof value === 'string' ? undefined : `${position} must be a string, not ${arg.raw}`;
    case 'number':
      return typeof value === 'number' ? undefined : `${position} must be a number, not ${arg.raw}`;
    case 'collection':
      return `${position} must be an array or object (a path or a call), not the literal ${arg.raw}`;
    case 'false':
      return value === false ? undefined : `${position} must be false (only shallow merges exist)`;
    case 'hash-algorithm':
      return (HASH_ALGORITHMS as readonly unknown[]).includes(value)
        ? undefined
        : `${position} must be one of ${HASH_ALGORITHMS.join(', ')}, not ${arg.raw}`;
    default:
      return undefined;
  }
}

function callProblems(call: IntrinsicCall): string[] {
  const signature = INTRINSIC_FUNCTIONS[call.name] as Signature;
  const { params, rest } = signature;
  const required = signature.required ?? params.length;
  const count = call.args.length;
  if (count < required || (!rest && count > params.length)) {
    const expected =
      rest !== undefined
        ? `at least ${required}`
        : required === params.length
          ? `${required}`
          : `${required} to ${params.length}`;
    return [`${call.name} takes ${expected} argument(s), got ${count}`];
  }
  const problems = call.args.flatMap((arg, index) => {
    const problem = literalProblem(call.name, index, params[index] ?? rest ?? 'any', arg);
    return problem ? [problem] : [];
  });
  const [first] = call.args;
  if (call.name === 'States.Format' && first?.kind === 'literal' && first.placeholders !== count - 1) {
    problems.push(
      `States.Format's template has ${first.placeholders} {} placeholder(s) for ${count - 1} argument(s)`,
    );
  }
  if (call.name === 'States.StringToJson' && first?.kind === 'literal' && typeof first.value === 'string') {
    try {
      JSON.parse(first.value);
    } catch (error) {
      problems.push(`States.StringToJson's literal is not JSON once unescaped: ${(error as Error).message}`);
    }
  }
  return problems;
}

export interface IntrinsicAnalysis {
  /** The parsed call, when the text parses. */
  call?: IntrinsicCall;
  problems: string[];
}

/** Parses a `.$` value holding an intrinsic function and checks every call in it. */
export function analyzeIntrinsic(text: string): IntrinsicAnalysis {
  let call: IntrinsicCall;
  try {
    call = parseIntrinsic(text);
  } catch (error) {
    if (error instanceof IntrinsicSyntaxError) return { problems: [error.message] };
    throw error;
  }
  const calls = intrinsicCalls(call);
  const problems = calls.flatMap(callProblems);
  if (calls.length > MAX_INTRINSICS_PER_FIELD) {
    problems.push(`${calls.length} intrinsic functions in one field (at most ${MAX_INTRINSICS_PER_FIELD})`);
  }
  return { call, problems };
}
