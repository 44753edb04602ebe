/**
 * What a rule's target receives: the whole event, a constant `Input`, the part of the event at
 * `InputPath`, or an `InputTransformer` (values picked by `InputPathsMap`, placed in
 * `InputTemplate`), as EventBridge builds it:
 *
 * - The JSON paths are EventBridge's subset: `$`, `.name` (letters, digits, `-`, `_`, `/`),
 *   `['name']`, `[0]`, and the wildcard `.*` / `[*]` (which yields a list).
 * - A template that starts with `{`, `[` or `"` is JSON: a placeholder outside quotes becomes
 *   the value as JSON (`null` when the path found nothing), one inside quotes the bare text (a
 *   string without quotes and unescaped, as EventBridge does; anything else as JSON; nothing
 *   when the path found nothing). The result is minified when it is valid JSON.
 *   A template that does not start so is text: every placeholder becomes the bare text.
 * - Reserved placeholders: `aws.events.rule-arn`, `aws.events.rule-name`,
 *   `aws.events.event.ingestion-time`, `aws.events.event` (the event without `detail`) and
 *   `aws.events.event.json` (the whole event).
 */

export class TargetInputError extends Error {
  override readonly name = 'TargetInputError';
}

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

export interface TargetInput {
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
}

/** What the reserved placeholders stand for. */
export interface DeliveryContext {
  ruleArn: string;
  ruleName: string;
  ingestionTime: string;
}

type Segment = { kind: 'name'; name: string } | { kind: 'index'; index: number } | { kind: 'all' };

const MAX_PATHS = 100;
const MAX_TEMPLATE = 8192;
const MAX_PATH_LENGTH = 256;
const MAX_INPUT = 8192;
const VARIABLE = /^[A-Za-z0-9_-]+$/;

/** Parses a JSON path of EventBridge's subset; throws TargetInputError when it is not one. */
export function parseJsonPath(path: string): Segment[] {
  const bad = () =>
    new TargetInputError(`"${path}" is not a JSON path EventBridge accepts (e.g. $.detail.state).`);
  if (!path.startsWith('$')) throw bad();
  const segments: Segment[] = [];
  const token = /\.([A-Za-z0-9_\-/]+)|\.\*|\[\*\]|\[(\d+)\]|\['([^']+)'\]|\["([^"]+)"\]/y;
  token.lastIndex = 1;
  while (token.lastIndex < path.length) {
    const match = token.exec(path);
    if (!match) throw bad();
    const name = match[1] ?? match[3] ?? match[4];
    if (name !== undefined) segments.push({ kind: 'name', name });
    else if (match[2] !== undefined) segments.push({ kind: 'index', index: Number(match[2]) });
    else segments.push({ kind: 'all' });
  }
  return segments;
}

/** The value at a path, or undefined when there is none; a wildcard path yields the list of matches. */
export function readJsonPath(segments: Segment[], root: unknown): unknown {
  let current: unknown[] = [root];
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      if (segment.kind === 'all') {
        if (Array.isArray(value)) next.push(...value);
        else if (typeof value === 'object' && value !== null) next.push(...Object.values(value));
      } else if (segment.kind === 'index') {
        if (Array.isArray(value) && segment.index < value.length) next.push(value[segment.index]);
      } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        if (Object.hasOwn(value, segment.name)) next.push((value as Record<string, unknown>)[segment.name]);
      }
    }
    current = next;
  }
  if (segments.some((s) => s.kind === 'all')) return current.length > 0 ? current : undefined;
  return current[0];
}

/** Checks a target's input settings as PutTargets does; throws TargetInputError. */
export function validateTargetInput(target: TargetInput): void {
  const given = [target.Input, target.InputPath, target.InputTransformer].filter((v) => v !== undefined);
  if (given.length > 1) {
    throw new TargetInputError(
      'Only one of Input, InputPath, or InputTransformer can be given for a target.',
    );
  }
  if (target.Input !== undefined) {
    if (typeof target.Input !== 'string' || target.Input.length > MAX_INPUT) {
      throw new TargetInputError(`Input must be a string of at most ${MAX_INPUT} characters.`);
    }
    try {
      JSON.parse(target.Input);
    } catch {
      throw new TargetInputError('Input is not valid JSON text.');
    }
  }
  if (target.InputPath !== undefined) checkPath(target.InputPath);
  if (target.InputTransformer !== undefined) checkTransformer(target.InputTransformer);
}

function checkPath(path: unknown): void {
  if (typeof path !== 'string' || path.length > MAX_PATH_LENGTH) {
    throw new TargetInputError(`A JSON path must be a string of at most ${MAX_PATH_LENGTH} characters.`);
  }
  parseJsonPath(path);
}

function checkTransformer(transformer: unknown): void {
  const { InputPathsMap = {}, InputTemplate } = (transformer ?? {}) as Partial<InputTransformer>;
  if (
    typeof InputTemplate !== 'string' ||
    InputTemplate.length === 0 ||
    InputTemplate.length > MAX_TEMPLATE
  ) {
    throw new TargetInputError(`InputTransformer.InputTemplate must be 1 to ${MAX_TEMPLATE} characters.`);
  }
  if (typeof InputPathsMap !== 'object' || InputPathsMap === null || Array.isArray(InputPathsMap)) {
    throw new TargetInputError('InputTransformer.InputPathsMap must map names to JSON paths.');
  }
  const entries = Object.entries(InputPathsMap);
  if (entries.length > MAX_PATHS) {
    throw new TargetInputError(`InputTransformer.InputPathsMap has more than ${MAX_PATHS} entries.`);
  }
  for (const [name, path] of entries) {
    if (name.startsWith('aws.events')) {
      throw new TargetInputError(
        `InputPathsMap key "${name}" is reserved: aws.events.* names are predefined.`,
      );
    }
    if (!VARIABLE.test(name)) {
      throw new TargetInputError(
        `InputPathsMap key "${name}" may contain only letters, digits, "_" and "-".`,
      );
    }
    checkPath(path);
  }
}

function reservedValues(event: Record<string, unknown>, context: DeliveryContext): Map<string, unknown> {
  const { detail: _detail, ...withoutDetail } = event;
  return new Map<string, unknown>([
    ['aws.events.rule-arn', context.ruleArn],
    ['aws.events.rule-name', context.ruleName],
    ['aws.events.event.ingestion-time', context.ingestionTime],
    ['aws.events.event', withoutDetail],
    ['aws.events.event.json', event],
  ]);
}

const bare = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** Fills an InputTemplate (see the module comment for the quoting rules). */
export function renderTemplate(template: string, values: ReadonlyMap<string, unknown>): string {
  const json = /^\s*[{["]/.test(template);
  let inString = false;
  const rendered = template.replace(/\\.|"|<([A-Za-z0-9_.-]+)>/gs, (token, name: string | undefined) => {
    if (token === '"') inString = !inString;
    if (name === undefined || !values.has(name)) return token;
    const value = values.get(name);
    if (!json || inString) return value === undefined ? '' : bare(value);
    return value === undefined ? 'null' : JSON.stringify(value);
  });
  if (!json) return rendered;
  try {
    return JSON.stringify(JSON.parse(rendered));
  } catch {
    return rendered;
  }
}

/** The text a target receives for an event. */
export function targetInput(
  target: TargetInput,
  event: Record<string, unknown>,
  context: DeliveryContext,
): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) {
    return JSON.stringify(readJsonPath(parseJsonPath(target.InputPath), event) ?? null);
  }
  if (target.InputTransformer !== undefined) {
    const values = reservedValues(event, context);
    for (const [name, path] of Object.entries(target.InputTransformer.InputPathsMap ?? {})) {
      values.set(name, readJsonPath(parseJsonPath(path), event));
    }
    return renderTemplate(target.InputTransformer.InputTemplate, values);
  }
  return JSON.stringify(event);
}
