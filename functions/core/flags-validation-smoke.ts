/**
 * The pre-traffic smoke test of the flags validator (the `flags-validator` plan of
 * functions/core/deployment-hooks/pre-traffic.ts): a new validator version must accept the flags document
 * of its own release, which AppConfig asks it to validate right after the alias moves, and refuse
 * a contradictory one. The document is bundled into the hook: it is config/flags.json as
 * committed with this release.
 */
import flagsDocument from '../../config/flags.json' with { type: 'json' };

/** An AppConfig Lambda validator event for a document (content base64-encoded, as AppConfig sends it). */
export function validatorEvent(document: unknown) {
  return {
    applicationId: 'smoke-test',
    configurationProfileId: 'smoke-test',
    configurationVersion: '0',
    content: Buffer.from(JSON.stringify(document)).toString('base64'),
    uri: 'hosted',
  };
}

/** This release's document, and the same with labelFilters on and one label included and excluded. */
export function flagsValidatorSmokeEvents() {
  const refused = {
    ...flagsDocument,
    values: {
      ...flagsDocument.values,
      labelFilters: {
        ...flagsDocument.values.labelFilters,
        enabled: true,
        includeLabels: ['Smoke test'],
        excludeLabels: ['SMOKE TEST'],
      },
    },
  };
  return { accepted: validatorEvent(flagsDocument), refused: validatorEvent(refused) };
}
