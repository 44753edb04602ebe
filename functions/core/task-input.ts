import { InvalidTaskInputError } from './errors';
import type * as z from './zod';
import { issueLines } from './zod-issues';

/** Validates a state machine task's input; a mismatch is a bug, reported with every problem. */
export function parseTaskInput<T extends z.ZodMiniType>(schema: T, event: unknown): z.infer<T> {
  const result = schema.safeParse(event);
  if (!result.success) {
    const problems = issueLines(result.error);
    throw new InvalidTaskInputError(`Invalid task input: ${problems.join('; ')}`);
  }
  return result.data;
}
