/**
 * The AppConfig Lambda validator of the pipeline-flags profile. AppConfig invokes it (through its
 * live alias) at StartDeployment and ValidateConfiguration with the configuration version's
 * content, base64-encoded, and refuses the deployment when it throws. It throws
 * FlagsDocumentInvalid, listing every problem, for a document AppConfig or the functions would
 * refuse or that is unsafe for this stage (functions/core/flags-validation.ts). It reads and
 * writes nothing; AppConfig gives it 15 seconds, start-up included.
 */
import * as v from 'valibot';
import { FlagsDocumentInvalidError, validateFlagsContent } from '../core/flags-validation';
import { issueLines } from '../core/validation';
import { loadEnv } from '../shared/env';
import { instrumented } from '../shared/middleware';
import { emit, logger } from '../shared/observability';
import { VALIDATE_FLAGS_ENVIRONMENT } from './environment';

const env = loadEnv(VALIDATE_FLAGS_ENVIRONMENT);

/** What AppConfig sends a Lambda validator (older events carry only content and uri). */
const ValidatorEventSchema = v.object({
  applicationId: v.optional(v.string()),
  configurationProfileId: v.optional(v.string()),
  configurationVersion: v.optional(v.string()),
  content: v.pipe(v.string(), v.base64()),
  uri: v.optional(v.string()),
});

export const handler = instrumented(async (event: unknown) => {
  const parsed = v.safeParse(ValidatorEventSchema, event);
  if (!parsed.success) {
    const problems = issueLines(parsed.issues).map((line) => `not an AppConfig validator event: ${line}`);
    logger.warn('Flags validation refused: not a validator event', { problems });
    emit('FlagsDocumentsRefused');
    throw new FlagsDocumentInvalidError(problems);
  }
  const { content, ...version } = parsed.output;
  const text = Buffer.from(content, 'base64').toString('utf8');
  const verdict = validateFlagsContent(text, { maxIngestConcurrency: env.MAX_INGEST_CONCURRENCY });
  if (!verdict.ok) {
    logger.warn('Flags document refused', { ...version, format: verdict.format, problems: verdict.problems });
    emit('FlagsDocumentsRefused');
    throw new FlagsDocumentInvalidError(verdict.problems);
  }
  logger.info('Flags document accepted', { ...version, format: verdict.format });
  emit('FlagsDocumentsAccepted');
  return { valid: true, format: verdict.format };
});
