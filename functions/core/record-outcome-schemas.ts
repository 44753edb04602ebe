/**
 * RecordOutcome's input: the workflow's data as a Catch leaves it (workflow-schemas.ts). A module
 * of its own so that only RecordOutcome, which parses it, builds it at cold start.
 */
import { ImageMetadataSchema } from './validated-image-schemas';
import { WorkflowInputSchema } from './workflow-schemas';
import * as z from './zod';

export const ClaimResultSchema = z.object({
  status: z.enum(['CLAIMED', 'ALREADY_DONE']),
  attempt: z.int().check(z.positive()),
});
export type ClaimResult = z.infer<typeof ClaimResultSchema>;

/** What a Catch puts at `$.error`. */
export const TaskErrorSchema = z.object({ Error: z.string(), Cause: z.optional(z.string()) });

export const RecordOutcomeInputSchema = z.object({
  outcome: z.enum(['REJECTED', 'FAILED']),
  state: z.extend(WorkflowInputSchema, {
    /** Absent when ClaimImage itself failed: the run never held the version. */
    claim: z.optional(ClaimResultSchema),
    image: z.optional(ImageMetadataSchema),
    error: TaskErrorSchema,
  }),
});
export type RecordOutcomeInput = z.infer<typeof RecordOutcomeInputSchema>;
