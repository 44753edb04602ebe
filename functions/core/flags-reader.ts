/**
 * Reading the feature flags without ever failing on them: whatever goes wrong (the store
 * unreachable or throttled, an unknown profile, a document that is not JSON or not valid) the
 * caller gets DEFAULT_FLAGS (processing on, the stage's label settings) and `onFallback` is told
 * why; a flags problem never stops or fails the pipeline. After a failed read the defaults are
 * used for one cache period before the store is asked again, so an outage does not add a slow
 * call to every invocation.
 *
 * Where the document comes from is behind FlagsDocumentSource (AppConfig:
 * functions/adapters/appconfig-flags.ts); functions/shared/flags.ts wires the two together.
 */
import { DEFAULT_FLAGS, type Flags, parseFlags } from './flags';

/** The latest flags document, as the store returns it (it caches for `maxAgeSeconds` itself). */
export interface FlagsDocumentSource {
  /** Throws when the store cannot be read; an empty or undefined body means "no configuration". */
  fetch(): Promise<{ body: Uint8Array | undefined; versionLabel: string | undefined }>;
}

export interface FlagsReader {
  get(): Promise<Flags>;
}

export interface FlagsReaderOptions {
  /** How long a failed read keeps the defaults before the store is asked again. */
  maxAgeSeconds: number;
  /**
   * Told every time the defaults are returned instead of the document's flags; `repeated` when
   * it is only the wait after a failed read (already reported once).
   */
  onFallback: (reason: string, repeated: boolean) => void;
  now?: () => number;
}

/** The innermost cause of an error, as `Name: message` (SDK errors arrive wrapped by Powertools). */
export function describeCause(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

export function createFlagsReader(
  source: FlagsDocumentSource | undefined,
  options: FlagsReaderOptions,
): FlagsReader {
  const { maxAgeSeconds, onFallback, now = () => Date.now() } = options;
  const fallback = (reason: string, repeated = false): Flags => {
    onFallback(reason, repeated);
    return DEFAULT_FLAGS;
  };
  if (!source) {
    return { get: async () => fallback('no AppConfig application, environment and profile configured') };
  }
  let retryAfter = 0;
  return {
    async get() {
      if (now() < retryAfter) return fallback('AppConfig failed within the last cache period', true);
      let document: Awaited<ReturnType<FlagsDocumentSource['fetch']>>;
      try {
        document = await source.fetch();
      } catch (error) {
        retryAfter = now() + maxAgeSeconds * 1000;
        return fallback(`AppConfig could not be read (${describeCause(error)})`);
      }
      if (!document.body || document.body.length === 0)
        return fallback('AppConfig returned no configuration');
      const parsed = parseFlags(document.body, document.versionLabel);
      if (!parsed.ok) return fallback(parsed.reason);
      return parsed.flags;
    },
  };
}
