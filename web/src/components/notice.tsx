/** Failure, loading and empty states, in words. */
import type { ComponentChildren } from 'preact';
import { ApiError } from '../lib/api';

export function Failure({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const failure = error instanceof ApiError ? error : undefined;
  const message = failure?.message ?? 'Something went wrong. Try again.';
  const retryable = !failure || failure.kind === 'network' || failure.kind === 'server';
  return (
    <div class="notice notice-error" role="alert">
      <p>{message}</p>
      {retryable && onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Loading({ children }: { children: ComponentChildren }) {
  return (
    <p class="notice" role="status">
      {children}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="notice">{children}</p>;
}
