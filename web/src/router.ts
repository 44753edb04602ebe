/**
 * History API routing: the current route as a hook, navigate() for code, and a document-wide
 * click handler that turns clicks on same-origin `<a href>` links into pushState navigations
 * (modified clicks, new-tab links and downloads are left to the browser).
 */
import { useEffect, useState } from 'preact/hooks';
import { parseRoute, type Route } from './lib/routes';

const listeners = new Set<() => void>();

const currentRoute = (): Route => parseRoute(window.location.pathname, window.location.search);

export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  for (const listener of listeners) listener();
}

function onClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const target = event.target instanceof Element ? event.target.closest('a[href]') : null;
  if (!(target instanceof HTMLAnchorElement)) return;
  if (target.target && target.target !== '_self') return;
  if (target.hasAttribute('download') || target.origin !== window.location.origin) return;
  // In-page anchors (the skip link) are the browser's.
  const samePage = target.pathname === window.location.pathname && target.search === window.location.search;
  if (target.hash && samePage) return;
  event.preventDefault();
  navigate(`${target.pathname}${target.search}`);
}

/** The route, kept in step with the address bar (links, back and forward). */
export function useRoute(): { route: Route; url: string } {
  const read = () => ({ route: currentRoute(), url: `${window.location.pathname}${window.location.search}` });
  const [state, setState] = useState(read);
  useEffect(() => {
    const update = () => setState(read());
    listeners.add(update);
    window.addEventListener('popstate', update);
    document.addEventListener('click', onClick);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
      document.removeEventListener('click', onClick);
    };
  }, []);
  return state;
}
