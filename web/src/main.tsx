/**
 * The console's start: read /config.json (a clear page when it is missing or wrong), then
 * wire the sign-in, the session, the API client and the uploads, and render the app.
 */
import { render } from 'preact';
import { App } from './app';
import { createAuth } from './auth';
import { createApiClient } from './lib/api';
import { loadConsoleConfig } from './lib/config';
import { createSession } from './lib/session';
import { createUploadStore } from './lib/upload-store';
import { putFile } from './put-file';
import { ServicesContext } from './services';
import './styles.css';

function ConfigErrorPage({ problems }: { problems: string[] }) {
  return (
    <main id="main" class="config-error">
      <h1>The console is not set up</h1>
      <p>Its configuration file, /config.json, is missing or wrong:</p>
      <ul>
        {problems.map((problem) => (
          <li key={problem}>{problem}</li>
        ))}
      </ul>
      <p>
        On AWS, deploy the stack again (it writes the file). Locally, start the console with{' '}
        <code>npm start</code>.
      </p>
    </main>
  );
}

async function start(root: HTMLElement) {
  const result = await loadConsoleConfig((url) => fetch(url, { cache: 'no-store' }));
  if (!result.ok) {
    document.title = 'Not set up · Image labeling';
    render(<ConfigErrorPage problems={result.problems} />, root);
    return;
  }
  const { config } = result;
  const auth = createAuth(config, window.location.origin);
  const session = createSession(auth.port);
  session.onEnded(() => void auth.forget());
  const api = createApiClient({ baseUrl: config.apiUrl, session, fetch: (url, init) => fetch(url, init) });
  const uploads = createUploadStore<File>({
    api,
    put: putFile,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  });
  render(
    <ServicesContext.Provider value={{ config, api, auth, session, uploads }}>
      <App />
    </ServicesContext.Provider>,
    root,
  );
}

const root = document.getElementById('app');
if (root) void start(root);
