/**
 * A paged list from the API: the first page on mount (and when `deps` change), then "More"
 * with the cursor, or a quiet refresh of the first page. Each item keeps its page's
 * imageUrlExpiresAt. A stale answer (from before the deps changed) is dropped.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
  imageUrlExpiresAt?: string;
}

export type Paged<T> = T & { expiresAt?: string };

interface PagesState<T> {
  items: Paged<T>[];
  next?: string;
  status: 'loading' | 'ready' | 'loading-more' | 'error';
  error?: unknown;
}

export function usePages<T>(load: (cursor?: string) => Promise<Page<T>>, deps: unknown[]) {
  const [state, setState] = useState<PagesState<T>>({ items: [], status: 'loading' });
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const fetchPage = useCallback(async (cursor: string | undefined, reset: boolean, quietly = false) => {
    const mine = reset ? ++generation.current : generation.current;
    if (!quietly) {
      setState((previous) => ({
        items: reset ? [] : previous.items,
        next: previous.next,
        status: reset ? 'loading' : 'loading-more',
      }));
    }
    try {
      const page = await loadRef.current(cursor);
      if (mine !== generation.current) return;
      const added = page.items.map((item) => ({ ...item, expiresAt: page.imageUrlExpiresAt }));
      setState((previous) => ({
        items: reset ? added : [...previous.items, ...added],
        next: page.nextCursor,
        status: 'ready',
      }));
    } catch (error) {
      if (mine !== generation.current) return;
      setState((previous) => ({ ...previous, status: 'error', error }));
    }
  }, []);

  useEffect(() => {
    void fetchPage(undefined, true);
  }, deps);

  return {
    ...state,
    more: () => {
      if (state.status === 'ready' && state.next) void fetchPage(state.next, false);
    },
    /** Reads the first page again, keeping the current items on screen until it arrives. */
    refresh: () => void fetchPage(undefined, true, true),
    retry: () => void fetchPage(state.items.length > 0 ? state.next : undefined, state.items.length === 0),
  };
}
