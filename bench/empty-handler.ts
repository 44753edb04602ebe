/** The baseline for init time: a handler that does nothing, bundled like the real ones. */
export const handler = async () => ({});
