/**
 * Paths in JSONPath states: the context object (`$$...`) must name fields Step Functions
 * provides, `$$.Map.Item...` only where a Map state offers it (its ItemSelector), a variable
 * (`$name`) must be assigned somewhere, and a path passed to an intrinsic function must use
 * bracket notation for any field name that is not letters, digits and `_`.
 *
 * The context object as documented (input-output-contextobject): Execution, State,
 * StateMachine, Task and, in a Map state's ItemSelector, Map.Item. `Execution.Input` and
 * `Map.Item.Value` hold data, so any path below them is fine.
 */

type ContextTree = { readonly [field: string]: ContextTree | 'leaf' | 'data' };

export const CONTEXT_OBJECT: ContextTree = {
  Execution: {
    Id: 'leaf',
    Input: 'data',
    Name: 'leaf',
    RoleArn: 'leaf',
    StartTime: 'leaf',
    RedriveCount: 'leaf',
    RedriveTime: 'leaf',
  },
  State: { EnteredTime: 'leaf', Name: 'leaf', RetryCount: 'leaf' },
  StateMachine: { Id: 'leaf', Name: 'leaf' },
  Task: { Token: 'leaf' },
  Map: { Item: { Index: 'leaf', Key: 'leaf', Value: 'data', Source: 'leaf' } },
};

export interface PathScope {
  /** Whether `$$.Map.Item...` exists here: only in a Map state's ItemSelector (or Parameters). */
  mapItem: boolean;
  /** Workflow variables assigned anywhere in the definition (Assign). */
  variables: ReadonlySet<string>;
  /** A path given to an intrinsic function: names need bracket notation beyond [A-Za-z0-9_]. */
  inIntrinsic?: boolean;
}

type Segment =
  | { kind: 'member'; name: string; bracket: boolean }
  | { kind: 'index' | 'wildcard' | 'slice' | 'filter' | 'union' | 'deep' };

/** member-name-shorthand of the JSONPath ABNF: what may follow a `.` without brackets. */
const SHORTHAND = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const DOT_NAME = /[^.[\]\s]+/y;
const QUOTED = /^(['"])((?:\\.|(?!\1).)*)\1$/s;
const BRACKET_FORMS: [RegExp, Segment['kind']][] = [
  [/^-?\d+$/, 'index'],
  [/^\*$/, 'wildcard'],
  [/^-?\d*:-?\d*(?::-?\d+)?$/, 'slice'],
  [/^\?\(.*\)$/s, 'filter'],
  [/^(?:-?\d+|'[^']*')(?:\s*,\s*(?:-?\d+|'[^']*'))+$/, 'union'],
];

/** Splits what follows `$`, `$$` or `$name` into segments; throws an Error on bad syntax. */
function segmentsOf(rest: string): Segment[] {
  const segments: Segment[] = [];
  let i = 0;
  while (i < rest.length) {
    if (rest.startsWith('..', i)) {
      segments.push({ kind: 'deep' });
      i += rest[i + 2] === '[' ? 2 : 1; // `..name` and `..*` continue as a dot segment
    } else if (rest[i] === '.') {
      i += 1;
      if (rest[i] === '*') {
        segments.push({ kind: 'wildcard' });
        i += 1;
        continue;
      }
      DOT_NAME.lastIndex = i;
      const name = DOT_NAME.exec(rest)?.[0];
      if (!name) throw new Error(`a field name must follow '.' at '${rest.slice(i - 1)}'`);
      segments.push({ kind: 'member', name, bracket: false });
      i += name.length;
    } else if (rest[i] === '[') {
      const end = closingBracket(rest, i);
      segments.push(bracketSegment(rest.slice(i + 1, end).trim()));
      i = end + 1;
    } else {
      throw new Error(`unexpected '${rest[i]}' at '${rest.slice(i)}'`);
    }
  }
  return segments;
}

function closingBracket(text: string, open: number): number {
  let quote: string | undefined;
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i += 1;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '[') depth += 1;
    else if (ch === ']') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  throw new Error(`unclosed '[' at '${text.slice(open)}'`);
}

function bracketSegment(inner: string): Segment {
  const quoted = QUOTED.exec(inner);
  if (quoted) return { kind: 'member', name: (quoted[2] ?? '').replace(/\\(.)/g, '$1'), bracket: true };
  const form = BRACKET_FORMS.find(([pattern]) => pattern.test(inner));
  if (!form) throw new Error(`'[${inner}]' is not an index, a slice, a quoted name, '*' or a filter`);
  return { kind: form[1] } as Segment;
}

function contextProblem(segments: Segment[], scope: PathScope): string | undefined {
  let node: ContextTree | 'leaf' | 'data' = CONTEXT_OBJECT;
  const seen: string[] = [];
  for (const segment of segments) {
    if (node === 'data') return undefined;
    const here = `$$${seen.map((name) => `.${name}`).join('')}`;
    if (node === 'leaf') return `${here} is a value: it has no fields`;
    if (segment.kind !== 'member') return `${here} has only named fields (${Object.keys(node).join(', ')})`;
    const next: ContextTree | 'leaf' | 'data' | undefined = Object.hasOwn(node, segment.name)
      ? node[segment.name]
      : undefined;
    if (next === undefined) {
      return `the context object has no ${here}.${segment.name} (${here} has ${Object.keys(node).join(', ')})`;
    }
    if (seen.length === 0 && segment.name === 'Map' && !scope.mapItem) {
      return '$$.Map exists only in a Map state, in its ItemSelector';
    }
    seen.push(segment.name);
    node = next;
  }
  return undefined;
}

const VARIABLE = /^\$([\p{ID_Start}_][\p{ID_Continue}]*)/u;

/** The problems of one path (a `.$` value, a `...Path` field or an intrinsic argument). */
export function pathProblems(path: string, scope: PathScope): string[] {
  if (!path.startsWith('$')) return [`'${path}' is not a path: a path starts with $`];
  const isContext = path.startsWith('$$');
  const variable = isContext ? undefined : VARIABLE.exec(path)?.[1];
  const rest = path.slice(isContext ? 2 : variable ? variable.length + 1 : 1);
  let segments: Segment[];
  try {
    segments = segmentsOf(rest);
  } catch (error) {
    return [`path '${path}': ${(error as Error).message}`];
  }
  const problems: string[] = [];
  if (scope.inIntrinsic) {
    for (const segment of segments) {
      if (segment.kind === 'member' && !segment.bracket && !SHORTHAND.test(segment.name)) {
        problems.push(
          `path '${path}' passed to an intrinsic function: write ['${segment.name}'] (a name with characters other than letters, digits and _ needs brackets)`,
        );
      }
    }
  }
  if (isContext) {
    const problem = contextProblem(segments, scope);
    if (problem) problems.push(`path '${path}': ${problem}`);
  } else if (variable !== undefined && !scope.variables.has(variable)) {
    problems.push(`path '${path}': no Assign sets the variable $${variable}`);
  }
  return problems;
}
