/**
 * The static check of a state machine definition, as deployed (placeholders substituted):
 * asl-validator for the structure, the transitions and the paths, then this project's rules
 * (infra/asl/rules.ts) for what asl-validator and the local engine let through and Step
 * Functions does not: intrinsic functions by the specification's grammar, context-object paths,
 * Resource ARNs, Map and ItemReader settings, QueryLanguage, Retry values. Used by the tests over
 * every statemachines/*.asl.json (test/infra/asl/workflows.test.ts); see docs/state-machines.md.
 */
import validator from 'asl-validator';
import { type AslProblem, ruleProblems, type WorkflowType } from './rules';

export type { AslProblem, WorkflowType } from './rules';

export interface CheckOptions {
  /** STANDARD or EXPRESS: Express executions cannot use .sync or .waitForTaskToken. */
  type: WorkflowType;
}

/** A definition that breaks the States Language rules; `problems` lists every finding. */
export class AslDefinitionError extends Error {
  override readonly name = 'AslDefinitionError';
  constructor(
    readonly problems: AslProblem[],
    label = 'the definition',
  ) {
    super(
      `${label} breaks ${problems.length} States Language rule(s):\n${problems.map(formatProblem).join('\n')}`,
    );
  }
}

export function formatProblem(problem: AslProblem): string {
  return `- state '${problem.state}', field '${problem.field}': ${problem.message}`;
}

/** `/States/A/ItemProcessor/States/B/Parameters/x.$` -> state 'A > B', field 'Parameters.x.$'. */
function locate(pointer: string): { state: string; field: string } {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const states: string[] = [];
  let i = 0;
  while (parts[i] === 'States' && parts[i + 1] !== undefined) {
    states.push(parts[i + 1] as string);
    i += 2;
    if ((parts[i] === 'ItemProcessor' || parts[i] === 'Iterator') && parts[i + 1] === 'States') i += 1;
    else if (parts[i] === 'Branches' && parts[i + 2] === 'States') i += 2;
  }
  return {
    state: states.length > 0 ? states.join(' > ') : '(top level)',
    field: parts.slice(i).join('.') || '(definition)',
  };
}

function validatorProblems(definition: unknown): AslProblem[] {
  // asl-validator adds QueryLanguage to every state: it gets a copy.
  const result = validator(structuredClone(definition), { checkArn: true, checkPaths: true });
  return result.errors.map((error) => {
    const schema = /^(\/\S*) is invalid\. (.*)$/s.exec(error.Message);
    if (schema) {
      return { ...locate(schema[1] as string), message: `asl-validator: ${schema[2]}` };
    }
    const state = /^State "?([^"]+?)"? /.exec(error.Message)?.[1];
    return {
      state: state ?? '(definition)',
      field: error['Error code'],
      message: `asl-validator: ${error.Message}`,
    };
  });
}

/** Every problem of a definition (text or parsed); an empty list means it passes. */
export function checkDefinition(definition: string | object, options: CheckOptions): AslProblem[] {
  let parsed: unknown = definition;
  if (typeof definition === 'string') {
    try {
      parsed = JSON.parse(definition);
    } catch (error) {
      return [{ state: '(definition)', field: '(JSON)', message: (error as Error).message }];
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return [{ state: '(definition)', field: '(JSON)', message: 'a definition is a JSON object' }];
  }
  return [...validatorProblems(parsed), ...ruleProblems(parsed as Record<string, unknown>, options.type)];
}

/** Throws an AslDefinitionError listing every problem, if there is one. */
export function assertValidDefinition(
  definition: string | object,
  options: CheckOptions,
  label?: string,
): void {
  const problems = checkDefinition(definition, options);
  if (problems.length > 0) throw new AslDefinitionError(problems, label);
}
