/**
 * EventBridge event patterns: validation (as PutRule and TestEventPattern refuse a bad pattern)
 * and matching, with the semantics of EventBridge's own matcher (aws/event-ruler):
 *
 * - A pattern is an object whose leaves are arrays of alternatives (OR); its fields are ANDed.
 * - An event array matches when any element matches; objects inside arrays are matched element
 *   by element, so two fields must match within the same element ("array consistency").
 * - Only leaf values take part: a field whose value is an object is, for a leaf matcher, absent
 *   (so `exists: false` matches it, as the EventBridge documentation says).
 * - Operators: exact values (string, number compared numerically, true, false, null), `prefix`
 *   and `suffix` (optionally `{"equals-ignore-case": ...}`), `equals-ignore-case`, `wildcard`,
 *   `anything-but` (a value, a list of strings or of numbers, or `prefix` / `suffix` /
 *   `equals-ignore-case` / `wildcard`), `numeric`, `exists`, `cidr` (IPv4 and IPv6) and `$or`.
 *
 * Written here rather than taken from npm: no maintained JavaScript library implements this
 * syntax (checked December 2026: `serverless-offline-aws-eventbridge` embeds a partial matcher
 * in a Serverless plugin; `eb-patterns` is not on the registry).
 */

export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
  }
}

export type EventPattern = { readonly [field: string]: unknown };

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// ---- validation ----

const fail = (reason: string, path: string): never => {
  throw new InvalidEventPatternError(path ? `${reason} (at "${path}")` : reason);
};

const isOrList = (value: unknown): value is unknown[] => Array.isArray(value) && value.every(isObject);

function checkObject(pattern: Record<string, unknown>, path: string): void {
  if (Object.keys(pattern).length === 0) fail('Empty objects are not allowed', path);
  for (const [field, value] of Object.entries(pattern)) {
    const at = path ? `${path}.${field}` : field;
    if (field === '$or' && isOrList(value)) {
      if (value.length < 2) fail('"$or" needs an array of at least two patterns', at);
      for (const [index, alternative] of (value as Record<string, unknown>[]).entries()) {
        checkObject(alternative, `${at}[${index}]`);
      }
    } else if (Array.isArray(value)) {
      if (value.length === 0) fail('Empty arrays are not allowed', at);
      for (const alternative of value) checkValue(alternative, at);
    } else if (isObject(value)) {
      checkObject(value, at);
    } else {
      fail(`"${field}" must be an object or an array`, at);
    }
  }
}

function checkValue(value: unknown, path: string): void {
  if (value === null || ['string', 'boolean'].includes(typeof value)) return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail('Numbers must be finite', path);
    return;
  }
  if (!isObject(value)) fail('Match value must be String, number, true, false, or null', path);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1) fail('A match object must have exactly one operator', path);
  const [operator, operand] = entries[0] as [string, unknown];
  const check = OPERATOR_CHECKS[operator];
  if (!check) fail(`Unrecognized match type ${operator}`, path);
  check?.(operand, path);
}

const str = (operator: string) => (operand: unknown, path: string) => {
  if (typeof operand !== 'string') fail(`"${operator}" must be given a string`, path);
};

const stringOrIgnoreCase = (operator: string) => (operand: unknown, path: string) => {
  if (isObject(operand) && Object.keys(operand).length === 1 && 'equals-ignore-case' in operand) {
    str(`${operator}: equals-ignore-case`)(operand['equals-ignore-case'], path);
  } else if (typeof operand !== 'string') {
    fail(`"${operator}" must be given a string or {"equals-ignore-case": string}`, path);
  }
};

function checkWildcard(operand: unknown, path: string): void {
  str('wildcard')(operand, path);
  const text = operand as string;
  if (/(?<!\\)\*\*/.test(text.replace(/\\\\/g, '')))
    fail('Consecutive wildcard characters are not allowed', path);
  if (text.replace(/\\[*\\]/g, '').includes('\\')) {
    fail('A backslash may escape only "*" or "\\" in a wildcard', path);
  }
}

const stringOrStrings = (operator: string, each: (operand: unknown, path: string) => void) =>
  function check(operand: unknown, path: string): void {
    if (!Array.isArray(operand)) {
      each(operand, path);
      return;
    }
    if (operand.length === 0) fail(`"${operator}" must not be an empty list`, path);
    for (const item of operand) each(item, path);
  };

const ANYTHING_BUT_CHECKS: Record<string, (operand: unknown, path: string) => void> = {
  prefix: str('anything-but: prefix'),
  suffix: str('anything-but: suffix'),
  'equals-ignore-case': stringOrStrings('anything-but: equals-ignore-case', str('equals-ignore-case')),
  wildcard: stringOrStrings('anything-but: wildcard', checkWildcard),
};

function checkAnythingBut(operand: unknown, path: string): void {
  if (typeof operand === 'string') return;
  if (typeof operand === 'number') {
    checkValue(operand, path);
    return;
  }
  if (Array.isArray(operand)) {
    const allStrings = operand.every((v) => typeof v === 'string');
    const allNumbers = operand.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (operand.length === 0 || !(allStrings || allNumbers)) {
      fail('Inside anything-but list, all values must be strings or all must be numbers', path);
    }
    return;
  }
  if (isObject(operand) && Object.keys(operand).length === 1) {
    const [name, inner] = Object.entries(operand)[0] as [string, unknown];
    const check = ANYTHING_BUT_CHECKS[name];
    if (!check) fail(`Unsupported anything-but pattern: ${name}`, path);
    check?.(inner, path);
    return;
  }
  fail(
    'Value of anything-but must be a string, a number, a list of either, or one of prefix, suffix, equals-ignore-case, wildcard',
    path,
  );
}

const LOWER = new Set(['>', '>=']);
const UPPER = new Set(['<', '<=']);

function checkNumeric(operand: unknown, path: string): void {
  const parts = Array.isArray(operand) ? operand : [];
  const bad = () => fail('Value of numeric must be an array like [">", 0, "<=", 5] or ["=", 3]', path);
  if (parts.length !== 2 && parts.length !== 4) bad();
  for (let i = 0; i < parts.length; i += 2) {
    if (typeof parts[i] !== 'string' || typeof parts[i + 1] !== 'number' || !Number.isFinite(parts[i + 1]))
      bad();
  }
  const [op1, n1, op2, n2] = parts as [string, number, string?, number?];
  if (parts.length === 2 && !(op1 === '=' || LOWER.has(op1) || UPPER.has(op1))) bad();
  if (parts.length === 4) {
    if (!(LOWER.has(op1) && op2 !== undefined && UPPER.has(op2))) {
      fail('A numeric range needs a lower bound (">" or ">=") then an upper bound ("<" or "<=")', path);
    }
    if (!(n1 < (n2 as number))) fail('Bottom must be less than top', path);
  }
}

function checkCidr(operand: unknown, path: string): void {
  if (typeof operand !== 'string' || !parseCidr(operand))
    fail(`Nonstandard IP address or CIDR: ${String(operand)}`, path);
}

const OPERATOR_CHECKS: Record<string, (operand: unknown, path: string) => void> = {
  prefix: stringOrIgnoreCase('prefix'),
  suffix: stringOrIgnoreCase('suffix'),
  'equals-ignore-case': str('equals-ignore-case'),
  wildcard: checkWildcard,
  'anything-but': checkAnythingBut,
  numeric: checkNumeric,
  exists: (operand, path) => {
    if (typeof operand !== 'boolean') fail('exists match pattern must be either true or false', path);
  },
  cidr: checkCidr,
};

/** Checks a parsed pattern; throws InvalidEventPatternError with the reason and where. */
export function validateEventPattern(pattern: unknown): asserts pattern is EventPattern {
  if (!isObject(pattern)) fail('The pattern must be a JSON object', '');
  checkObject(pattern as Record<string, unknown>, '');
}

/** Parses and checks a pattern given as JSON text (PutRule's and TestEventPattern's EventPattern). */
export function parseEventPattern(text: string): EventPattern {
  let pattern: unknown;
  try {
    pattern = JSON.parse(text);
  } catch (error) {
    throw new InvalidEventPatternError(`The pattern is not JSON: ${(error as Error).message}`);
  }
  validateEventPattern(pattern);
  return pattern;
}

// ---- matching ----

/** The leaf values at a field: arrays (also nested) are flattened, objects are not leaves. */
function leaves(value: unknown): Json[] {
  if (value === undefined || isObject(value)) return [];
  if (Array.isArray(value)) return value.flatMap(leaves);
  return [value as Json];
}

/** The objects a nested pattern is matched against: array elements one by one; absent is `{}`. */
function objects(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) {
    const found = value.flat(Number.POSITIVE_INFINITY).filter(isObject);
    return found.length > 0 ? found : [{}];
  }
  return [isObject(value) ? value : {}];
}

const lower = (s: string) => s.toLowerCase();

function affix(operand: unknown, value: Json, test: (v: string, o: string) => boolean): boolean {
  if (typeof value !== 'string') return false;
  if (typeof operand === 'string') return test(value, operand);
  return test(lower(value), lower((operand as Record<string, string>)['equals-ignore-case'] ?? ''));
}

function wildcard(pattern: string, value: Json): boolean {
  if (typeof value !== 'string') return false;
  const source = pattern.replace(/\\[*\\]|\*|[.+?^${}()|[\]\\]/g, (token) =>
    token === '*' ? '.*' : `\\${token.length === 2 ? token[1] : token}`,
  );
  return new RegExp(`^${source}$`, 's').test(value);
}

const anyOf = (operand: unknown, test: (item: string) => boolean) =>
  (Array.isArray(operand) ? (operand as string[]) : [operand as string]).some(test);

function anythingBut(operand: unknown, value: Json): boolean {
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  if (isObject(operand)) {
    if (typeof value !== 'string') return false;
    const [name, inner] = Object.entries(operand)[0] as [string, unknown];
    if (name === 'prefix') return !value.startsWith(inner as string);
    if (name === 'suffix') return !value.endsWith(inner as string);
    if (name === 'equals-ignore-case') return !anyOf(inner, (item) => lower(item) === lower(value));
    return !anyOf(inner, (item) => wildcard(item, value));
  }
  const excluded = Array.isArray(operand) ? operand : [operand];
  return !excluded.some((item) => item === value);
}

function numeric(operand: unknown, value: Json): boolean {
  if (typeof value !== 'number') return false;
  const parts = operand as (string | number)[];
  for (let i = 0; i < parts.length; i += 2) {
    const bound = parts[i + 1] as number;
    const ok = {
      '=': value === bound,
      '<': value < bound,
      '<=': value <= bound,
      '>': value > bound,
      '>=': value >= bound,
    }[parts[i] as '=' | '<' | '<=' | '>' | '>='];
    if (!ok) return false;
  }
  return true;
}

/** One alternative of a leaf's array against one leaf value of the event. */
function matchesValue(alternative: unknown, value: Json): boolean {
  if (!isObject(alternative)) return alternative === value;
  const [operator, operand] = Object.entries(alternative)[0] as [string, unknown];
  switch (operator) {
    case 'prefix':
      return affix(operand, value, (v, o) => v.startsWith(o));
    case 'suffix':
      return affix(operand, value, (v, o) => v.endsWith(o));
    case 'equals-ignore-case':
      return typeof value === 'string' && lower(value) === lower(operand as string);
    case 'wildcard':
      return wildcard(operand as string, value);
    case 'anything-but':
      return anythingBut(operand, value);
    case 'numeric':
      return numeric(operand, value);
    case 'cidr':
      return typeof value === 'string' && inCidr(operand as string, value);
    default:
      return false;
  }
}

function matchesLeaf(alternatives: unknown[], value: unknown): boolean {
  const values = leaves(value);
  return alternatives.some((alternative) => {
    if (isObject(alternative) && 'exists' in alternative) return alternative.exists === values.length > 0;
    return values.some((v) => matchesValue(alternative, v));
  });
}

function matchesObject(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, sub]) => {
    if (field === '$or' && isOrList(sub)) {
      return sub.some((alternative) => matchesObject(alternative as Record<string, unknown>, event));
    }
    const value = Object.hasOwn(event, field) ? event[field] : undefined;
    if (Array.isArray(sub)) return matchesLeaf(sub, value);
    return objects(value).some((element) => matchesObject(sub as Record<string, unknown>, element));
  });
}

/** Whether a (validated) pattern matches an event. */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return isObject(event) && matchesObject(pattern, event);
}

// ---- IP addresses ----

function parseIp(text: string): { bits: number; value: bigint } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    return { bits: 32, value: octets.reduce((sum, o) => (sum << 8n) + BigInt(o), 0n) };
  }
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.split('::').length > 2) return undefined;
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { bits: 128, value: all.reduce((sum, g) => (sum << 16n) + BigInt(Number.parseInt(g, 16)), 0n) };
}

function parseCidr(text: string): { bits: number; value: bigint; prefix: number } | undefined {
  const [address = '', length, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const ip = parseIp(address);
  if (!ip) return undefined;
  if (length === undefined) return { ...ip, prefix: ip.bits };
  if (!/^\d{1,3}$/.test(length) || Number(length) > ip.bits) return undefined;
  return { ...ip, prefix: Number(length) };
}

function inCidr(cidr: string, address: string): boolean {
  const range = parseCidr(cidr);
  const ip = parseIp(address);
  if (!range || !ip || range.bits !== ip.bits) return false;
  const shift = BigInt(range.bits - range.prefix);
  return range.value >> shift === ip.value >> shift;
}
