import * as v from 'valibot';
import { InvalidTaskInputError } from './errors';
import { issueLines } from './validation';

/** Validates a state machine task's input; a mismatch is a bug, reported with every problem. */
export function parseTaskInput<T extends v.GenericSchema>(schema: T, event: unknown): v.InferOutput<T> {
  const result = v.safeParse(schema, event);
  if (!result.success) {
    const problems = issueLines(result.issues);
    throw new InvalidTaskInputError(`Invalid task input: ${problems.join('; ')}`);
  }
  return result.output;
}
