/**
 * The console's shell: skip link, header (stage, navigation, Sign out), and the page for the
 * route, or the sign-in prompt when nobody is signed in or the session has ended. Focus moves
 * to the main region on each navigation, so keyboard and screen-reader users start at the top
 * of the new page.
 */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Route } from './lib/routes';
import { CallbackPage, NotFoundPage, SessionEndedPage, SignedOutPage } from './pages/auth-pages';
import { BrowsePage } from './pages/browse';
import { ImagePage } from './pages/image';
import { LabelsPage } from './pages/labels';
import { SearchPage } from './pages/search';
import { useRoute } from './router';
import { useServices } from './services';

type AuthState =
  | { status: 'checking' }
  | { status: 'signed-out' }
  | { status: 'ended' }
  | { status: 'signed-in'; name: string };

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'browse':
      return <BrowsePage />;
    case 'search':
      return <SearchPage label={route.label} minConfidence={route.minConfidence} />;
    case 'labels':
      return <LabelsPage prefix={route.prefix} />;
    case 'image':
      return <ImagePage key={route.key} imageKey={route.key} />;
    default:
      return <NotFoundPage />;
  }
}

/** Without a usable user: a session that was live has ended (its renewal failed); otherwise signed out. */
const afterSignedOut = (previous: AuthState): AuthState =>
  previous.status === 'signed-in' || previous.status === 'ended'
    ? { status: 'ended' }
    : { status: 'signed-out' };

function useAuthState() {
  const { auth, session } = useServices();
  const [state, setState] = useState<AuthState>({ status: 'checking' });
  const refresh = useCallback(() => {
    auth.currentUser().then(
      (user) =>
        setState((previous) => (user ? { status: 'signed-in', name: user.name } : afterSignedOut(previous))),
      () => setState({ status: 'signed-out' }),
    );
  }, [auth]);
  useEffect(() => {
    refresh();
    const stopWatching = auth.onChange(refresh);
    const stopEnded = session.onEnded(() => setState({ status: 'ended' }));
    return () => {
      stopWatching();
      stopEnded();
    };
  }, [auth, session, refresh]);
  // Signing out on purpose is not a session ending.
  const signOut = () => {
    setState({ status: 'signed-out' });
    void auth.signOut();
  };
  return { state, refresh, signOut };
}

export function App() {
  const { config } = useServices();
  const { route, url } = useRoute();
  const { state, refresh, signOut } = useAuthState();
  const main = useRef<HTMLElement>(null);
  const firstUrl = useRef(url);

  useEffect(() => {
    if (url !== firstUrl.current) main.current?.focus();
  }, [url]);

  let content: ComponentChildren;
  if (route.name === 'callback') content = <CallbackPage onSignedIn={refresh} />;
  else if (state.status === 'checking') content = null;
  else if (state.status === 'signed-out') content = <SignedOutPage />;
  else if (state.status === 'ended') content = <SessionEndedPage />;
  else content = <Page route={route} />;

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to main content
      </a>
      <header class="site-header">
        <a class="brand" href="/">
          Image labeling
        </a>
        <span class="stage" title="Stage">
          {config.stage}
        </span>
        {state.status === 'signed-in' ? (
          <>
            <nav aria-label="Main">
              <ul>
                <li>
                  <a href="/" aria-current={route.name === 'browse' ? 'page' : undefined}>
                    Images
                  </a>
                </li>
                <li>
                  <a href="/labels" aria-current={route.name === 'labels' ? 'page' : undefined}>
                    Labels
                  </a>
                </li>
              </ul>
            </nav>
            <span class="user">{state.name}</span>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </>
        ) : null}
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {content}
      </main>
    </>
  );
}
