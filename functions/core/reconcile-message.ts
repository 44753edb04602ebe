/**
 * What a reconcile pass (reconcile.ts) puts on the ingest queue beside S3's events: one object
 * version to process. The ingest (ingest.ts) parses it; a module of its own so that the
 * reconcile, which only writes these messages, does not build the ingest's schemas at cold start.
 */
import type { WorkflowInput } from './workflow-schemas';

export const RECONCILE_SOURCE = 'image-labeling.reconcile';

export interface ReconcileMessage {
  source: typeof RECONCILE_SOURCE;
  input: WorkflowInput;
}
