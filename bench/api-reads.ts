/**
 * The reads of the API latency bench (api-latency.ts), shared by its main thread, which warms
 * the API up with them, and its load thread (load-worker.ts), which times them: the path each
 * request asks for. No heavy imports, so that both threads can load it.
 */

/** The read to issue: a label query with fixed parameters, or a record by key, keys taken in turn. */
export type Read =
  | { kind: 'label'; label: string; minConfidence: number; limit: number }
  | { kind: 'key'; keys: string[] };

/** The keys in turn, from the first again after the last. */
export function keysInTurn(keys: string[]): () => string {
  let next = 0;
  return () => keys[next++ % keys.length] ?? '';
}

/** The path for each request: the same label page, or the next key, URL-encoded. */
export function pathsOf(read: Read): () => string {
  if (read.kind === 'label') return () => `/images?label=${read.label}`;
  const nextKey = keysInTurn(read.keys);
  return () => `/images/${encodeURIComponent(nextKey())}`;
}
