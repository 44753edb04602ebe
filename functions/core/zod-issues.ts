import type * as z from './zod';

/** A schema's complaints, one `path: message` line each (`(root)` for the value itself). */
export function issueLines(error: z.core.$ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
