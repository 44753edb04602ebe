/**
 * RecordOutcome's input: the workflow's data as a Catch leaves it (workflow-schemas.ts). A module
 * of its own so that only RecordOutcome, which parses it, builds it at cold start.
 */
import * as v from 'valibot';
import { ImageMetadataSchema } from './validated-image-schemas';
import { int } from './validation';
import { WorkflowInputSchema } from './workflow-schemas';

export const ClaimResultSchema = v.object({
  status: v.picklist(['CLAIMED', 'ALREADY_DONE']),
  attempt: v.pipe(int, v.minValue(1)),
});
export type ClaimResult = v.InferOutput<typeof ClaimResultSchema>;

/** What a Catch puts at `$.error`. */
export const TaskErrorSchema = v.object({ Error: v.string(), Cause: v.optional(v.string()) });

export const RecordOutcomeInputSchema = v.object({
  outcome: v.picklist(['REJECTED', 'FAILED']),
  state: v.object({
    ...WorkflowInputSchema.entries,
    /** Absent when ClaimImage itself failed: the run never held the version. */
    claim: v.optional(ClaimResultSchema),
    image: v.optional(ImageMetadataSchema),
    error: TaskErrorSchema,
  }),
});
export type RecordOutcomeInput = v.InferOutput<typeof RecordOutcomeInputSchema>;
