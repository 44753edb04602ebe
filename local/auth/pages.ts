/**
 * The sign-in service's two pages: the sign-in form (an email, no password: this is a local
 * stand-in and says so) and the error page for requests that must not be redirected. Small,
 * plain HTML with labelled fields; their own CSP allows only their inline style by hash.
 */
import { createHash } from 'node:crypto';

const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1b1f24; }
main { max-width: 24rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: 8px;
  box-shadow: 0 1px 3px rgb(0 0 0 / 0.2); }
h1 { font-size: 1.4rem; margin-top: 0; }
label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
input { width: 100%; box-sizing: border-box; font: inherit; padding: 0.5rem; border: 1px solid #5f6b7a; border-radius: 4px; }
button { margin-top: 1rem; font: inherit; padding: 0.5rem 1.25rem; border: 0; border-radius: 4px;
  background: #0b5cad; color: #fff; cursor: pointer; }
button:focus-visible, input:focus-visible { outline: 3px solid #f0a000; outline-offset: 2px; }
.note { color: #4a5563; font-size: 0.9rem; }
.error { color: #a4000f; }
`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );
}

/** The pages' Content-Security-Policy; `formTargets` are where the form's redirect may lead. */
export function pagePolicy(formTargets: readonly string[] = []): string {
  return [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    `form-action 'self' ${formTargets.join(' ')}`.trim(),
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export interface SignInForm {
  /** Where the form posts: the authorize URL with its query. */
  action: string;
  email: string;
  /** Shown next to the field when the last attempt was refused. */
  error?: string;
}

export function signInPage({ action, email, error }: SignInForm): string {
  const invalid = error ? ' aria-invalid="true" aria-describedby="email-error"' : '';
  return page(
    'Sign in - local image labeling',
    `<h1>Sign in</h1>
<p class="note">This is the local cloud's stand-in for the Cognito sign-in page. There is no password:
any email address signs in, with full access to the local labels API.</p>
<form method="post" action="${escapeHtml(action)}" novalidate>
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}"${invalid}>
${error ? `<p id="email-error" class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<button type="submit">Sign in</button>
</form>`,
  );
}

export function errorPage(error: string, description: string): string {
  return page(
    'Sign-in error - local image labeling',
    `<h1>Sign-in error</h1>
<p>An error was encountered with the requested page.</p>
<p><code>${escapeHtml(error)}</code>: ${escapeHtml(description)}</p>`,
  );
}
