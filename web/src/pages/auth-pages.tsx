/** The pages around the sign-in: signed out, session ended, the callback, and a missing page. */
import { useEffect, useState } from 'preact/hooks';
import { CONSOLE_PATHS } from '../../../infra/config/console';
import { navigate } from '../router';
import { useServices, useTitle } from '../services';

function SignInButton() {
  const { auth } = useServices();
  const [error, setError] = useState<string>();
  const { pathname, search } = window.location;
  // After a failed return, start over from the home page rather than the callback.
  const returnTo = pathname === CONSOLE_PATHS.callback ? '/' : `${pathname}${search}`;
  const signIn = () =>
    auth.signIn(returnTo).catch(() => {
      setError("Can't reach the sign-in service. Check your connection and try again.");
    });
  return (
    <>
      <button type="button" class="primary" onClick={signIn}>
        Sign in
      </button>
      {error ? (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}

export function SignedOutPage() {
  useTitle('Sign in');
  return (
    <section class="panel welcome">
      <h1>Image labeling</h1>
      <p>
        Upload images and see what is in them: labels with their confidence, and boxes around each object.
      </p>
      <p>Sign in to continue.</p>
      <SignInButton />
    </section>
  );
}

export function SessionEndedPage() {
  useTitle('Session ended');
  return (
    <section class="panel welcome">
      <h1>Session ended</h1>
      <p role="alert">Your session has ended. Sign in again.</p>
      <SignInButton />
    </section>
  );
}

/** `/auth/callback`: completes the sign-in, then returns to where it started. */
export function CallbackPage({ onSignedIn }: { onSignedIn: () => void }) {
  const { auth } = useServices();
  useTitle('Signing in');
  const [error, setError] = useState<string>();
  useEffect(() => {
    auth.completeSignIn(window.location.href).then(
      (returnTo) => {
        onSignedIn();
        navigate(returnTo, { replace: true });
      },
      (failure: unknown) => {
        setError(failure instanceof Error && failure.message ? failure.message : 'Sign-in failed.');
      },
    );
  }, [auth, onSignedIn]);
  if (!error) {
    return (
      <p class="notice" role="status">
        Signing in…
      </p>
    );
  }
  return (
    <section class="panel welcome">
      <h1>Sign-in failed</h1>
      <p role="alert">{error}</p>
      <SignInButton />
    </section>
  );
}

export function NotFoundPage() {
  useTitle('Page not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is no page at this address. <a href="/">See all images</a>.
      </p>
    </>
  );
}
