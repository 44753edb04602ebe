/**
 * The static check over every statemachines/*.asl.json, as each stage deploys it: substituted
 * the way CloudFormation substitutes CDK's definitionSubstitutions, with real ARNs.
 */
import { describe, expect, it } from 'vitest';
import { checkDefinition } from '../../../infra/asl/check';
import { analyzeIntrinsic, intrinsicArgs, isIntrinsic } from '../../../infra/asl/intrinsics';
import { LAMBDA_FUNCTION_ARN } from '../../../infra/asl/resources';
import { renderWorkflow, WORKFLOWS, workflowFiles } from '../../../infra/asl/workflows';
import { STAGES } from '../../../infra/config/stage-config';

type Json = Record<string, unknown>;
const stages = Object.keys(STAGES);
const files = workflowFiles();
const cases = files.flatMap((file) => stages.map((stage) => [file, stage] as const));

/** Every `.$` value in the definition that is an intrinsic function, with its key. */
function intrinsicValues(value: unknown, found: [string, string][] = []): [string, string][] {
  if (Array.isArray(value)) for (const item of value) intrinsicValues(item, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key.endsWith('.$') && typeof child === 'string' && isIntrinsic(child)) found.push([key, child]);
      else intrinsicValues(child, found);
    }
  }
  return found;
}

/** Task Resources, at every level. */
function taskResources(machine: Json): string[] {
  return Object.values(machine.States as Record<string, Json>).flatMap((state) => [
    ...(state.Type === 'Task' ? [state.Resource as string] : []),
    ...(state.ItemProcessor ? taskResources(state.ItemProcessor as Json) : []),
  ]);
}

describe('every workflow, as deployed', () => {
  it('has a way to be rendered for each file in statemachines/', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(files).toEqual(Object.keys(WORKFLOWS).sort());
  });

  it.each(cases)('%s (%s) passes asl-validator and every rule', (file, stage) => {
    const workflow = renderWorkflow(file, stage);
    expect(workflow.definition).not.toMatch(/\$\{/);
    expect(checkDefinition(workflow.definition, workflow)).toEqual([]);
  });

  it.each(cases)('%s (%s) invokes functions through live alias ARNs', (file, stage) => {
    const resources = taskResources(JSON.parse(renderWorkflow(file, stage).definition));
    expect(resources.length).toBeGreaterThan(0);
    for (const resource of resources) {
      expect(resource).toMatch(LAMBDA_FUNCTION_ARN);
      expect(resource).toMatch(/:live$/);
    }
  });

  it.each(files)(
    '%s uses no escaped intrinsic literal (the local engine would not read it as AWS does)',
    (file) => {
      const definition = JSON.parse(renderWorkflow(file, 'dev').definition);
      for (const [key, text] of intrinsicValues(definition)) {
        const { call } = analyzeIntrinsic(text);
        for (const literal of call ? intrinsicArgs(call, 'literal') : []) {
          expect(literal.raw, `${key}: ${text}`).not.toContain('\\');
        }
      }
    },
  );
});

describe('the backfill defaults (issue 16)', () => {
  /** ApplyDefaults as it was: the defaults as a JSON text in an intrinsic string literal. */
  const OLD_APPLY_DEFAULTS = {
    Type: 'Pass',
    Comment: 'Every input field is optional: merge the input over the defaults.',
    Parameters: {
      'options.$': `States.JsonMerge(States.StringToJson('{"prefix":"","relabel":false}'), $, false)`,
    },
    OutputPath: '$.options',
    Next: 'ReconcileBucket',
  };

  it('refuses the old ApplyDefaults (unescaped braces in a string literal) and accepts the fixed one', () => {
    const fixed = renderWorkflow('backfill.asl.json', 'prod');
    const old = JSON.parse(fixed.definition) as { StartAt: string; States: Record<string, unknown> };
    const { Defaults: _defaults, ...rest } = old.States;
    old.StartAt = 'ApplyDefaults';
    old.States = { ...rest, ApplyDefaults: OLD_APPLY_DEFAULTS };
    expect(checkDefinition(old, fixed)).toEqual([
      {
        state: 'ApplyDefaults',
        field: 'Parameters.options.$',
        message: expect.stringMatching(/unescaped '\{' in a string literal: it is reserved, write \\\{/),
      },
    ]);
    expect(checkDefinition(fixed.definition, fixed)).toEqual([]);
  });
});
