/**
 * The hosts a browser uses besides the API: the sign-in service (local/auth, the user pool's
 * hosted domain and issuer) and the console (local/console, CloudFront's part). Their ports are
 * bound first: the issuer URL goes into every token, and the console's origin into the app
 * client's URLs and the CORS rules of the API and the images bucket.
 */
import http from 'node:http';
import { resolve } from 'node:path';
import { contentSecurityPolicy, localConsoleOrigin } from '../infra/config/console';
import {
  createAuthService,
  LOCAL_CONSOLE_CLIENT_ID,
  type LocalIssuer,
  localAppClients,
  localIssuer,
} from './auth';
import { consoleDistDir, createConsoleServer, ensureConsoleBuilt } from './console';
import { close, listen } from './servers';

const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');

export interface WebHostsOptions {
  host: string;
  /** 0: a free port. */
  authPort: number;
  /** 0: a free port. */
  consolePort: number;
  dataDir: string;
  accessTokenTtlSeconds?: number;
}

export interface ConsoleSettings {
  /** The labels API's URL. */
  apiUrl: string;
  /** Where presigned image URLs point (the local S3). */
  imagesOrigin: string;
  stage: string;
  /** Receives the line saying the console was (re)built, or why it could not be. */
  log: (line: string) => void;
}

export interface WebHosts {
  /** The sign-in service's URL: the issuer, the authority and the hosted domain. */
  authUrl: string;
  /** `http://localhost:<port>`: the console's origin. */
  consoleOrigin: string;
  issuer: LocalIssuer;
  /** Builds the console when its sources changed, then serves it with `/config.json` from `settings`. */
  serveConsole(settings: ConsoleSettings): Promise<void>;
  close(): Promise<void>;
}

export async function openWebHosts(options: WebHostsOptions): Promise<WebHosts> {
  const authServer = http.createServer();
  const consoleServer = http.createServer();
  const closeAll = () => Promise.all([close(authServer), close(consoleServer)]).then(() => undefined);
  try {
    const authUrl = `http://localhost:${await listen(authServer, options.host, options.authPort)}`;
    const consoleOrigin = localConsoleOrigin(await listen(consoleServer, options.host, options.consolePort));
    const issuer = await localIssuer({
      dataDir: options.dataDir,
      url: authUrl,
      ...(options.accessTokenTtlSeconds ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds } : {}),
    });
    authServer.on('request', createAuthService({ issuer, clients: localAppClients(consoleOrigin) }));

    async function serveConsole(settings: ConsoleSettings): Promise<void> {
      let problem: string | undefined = 'The console is being built; reload in a moment.';
      consoleServer.on(
        'request',
        createConsoleServer({
          distDir: consoleDistDir(ROOT),
          config: {
            apiUrl: settings.apiUrl,
            authority: authUrl,
            authDomain: authUrl,
            clientId: LOCAL_CONSOLE_CLIENT_ID,
            stage: settings.stage,
          },
          contentSecurityPolicy: contentSecurityPolicy({
            api: settings.apiUrl,
            auth: [authUrl],
            images: settings.imagesOrigin,
          }),
          unavailable: () => problem,
        }),
      );
      try {
        await ensureConsoleBuilt({ root: ROOT, log: settings.log });
        problem = undefined;
      } catch (error) {
        // The rest of the cloud works without it: say why, and keep serving the reason.
        problem = `The console failed to build: ${error instanceof Error ? error.message : String(error)}`;
        settings.log(problem.split('\n')[0] ?? problem);
      }
    }

    return { authUrl, consoleOrigin, issuer, serveConsole, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
