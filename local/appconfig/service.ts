/**
 * A local AppConfigData endpoint (REST JSON, SigV4 service name `appconfig`) serving the flags
 * document from a file: StartConfigurationSession and GetLatestConfiguration, as the SDK and
 * Powertools' AppConfigProvider call them.
 *
 * - The document is re-read at every GetLatestConfiguration, so an edit applies at the next
 *   poll, without a restart. It goes through the checks of the profile's validator on AWS
 *   (functions/core/flags-validation.ts): a document that AppConfig, the functions or the
 *   validator would refuse (invalid JSON, schema or attribute constraints, flags the readers
 *   would fall back on, overlapping filters, a throttle above the stage's concurrency) is not
 *   served: the last valid one stays, and the problems are reported, as a version that fails
 *   validation is never deployed.
 * - The answer is the retrieval format (`{ "<flag>": { "enabled": bool, ...attributes } }`), with
 *   a Version-Label (the same label CDK gives the hosted version of the same text), and an EMPTY
 *   body when the session already has that version.
 * - Tokens are self-contained (they carry the session and the version the client holds), so
 *   sessions survive a restart of the local cloud. Each answer carries the next token.
 */
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { type FlagsLimits, validateFlagsDocument } from '../../functions/core/flags-validation';
import { type FlagsNames, flagsVersionLabel } from '../../infra/config/flags';

export interface AppConfigDataServiceOptions {
  /** The flags document (AWS.AppConfig.FeatureFlags format). */
  file: string;
  /** The application, environment and profile names it answers to (ids are the names here). */
  names: FlagsNames;
  /** The stage's limits the document is validated against, as the validator on AWS does. */
  limits: FlagsLimits;
  /** Told about a document that cannot be served (the previous valid one stays). */
  onProblem?: (message: string) => void;
  /** Next-Poll-Interval-In-Seconds when the session asked for none. Default 60, as on AWS. */
  pollIntervalSeconds?: number;
}

export interface ServedFlags {
  versionLabel: string;
  configuration: Record<string, { enabled: boolean } & Record<string, unknown>>;
}

export interface AppConfigDataService {
  handler: http.RequestListener;
  /** The document currently served (re-reads the file). */
  current(): ServedFlags;
  stats(): { sessions: number; polls: number; emptyPolls: number };
}

interface Token {
  a: string;
  e: string;
  p: string;
  /** The version label the holder of this token already has ('' for none). */
  v: string;
  /** The session's poll interval. */
  i: number;
}

const encodeToken = (token: Token) => Buffer.from(JSON.stringify(token)).toString('base64url');

function decodeToken(text: string | null): Token | undefined {
  if (!text) return undefined;
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Token>;
    if (typeof token.a !== 'string' || typeof token.e !== 'string' || typeof token.p !== 'string')
      return undefined;
    return { a: token.a, e: token.e, p: token.p, v: String(token.v ?? ''), i: Number(token.i) || 60 };
  } catch {
    return undefined;
  }
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function error(response: http.ServerResponse, status: number, type: string, message: string) {
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  response.end(JSON.stringify({ Message: message }));
}

/** The document being served, the file it comes from, and the counters the tests read. */
interface FlagsState {
  readonly file: string;
  readonly names: FlagsNames;
  readonly limits: FlagsLimits;
  readonly onProblem: (message: string) => void;
  readonly pollIntervalSeconds: number;
  readonly stats: { sessions: number; polls: number; emptyPolls: number };
  served: ServedFlags | undefined;
  lastText: string | undefined;
}

function currentFlags(state: FlagsState): ServedFlags {
  const { file, served, onProblem } = state;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    if (served) {
      onProblem(`cannot read ${file}: ${String(cause)}; still serving ${served.versionLabel}`);
      return served;
    }
    throw new Error(`Cannot read the flags document ${file}: ${String(cause)}`);
  }
  if (text === state.lastText && served) return served;
  state.lastText = text;
  const checked = validateFlagsDocument(text, state.limits);
  if (!checked.ok) {
    const problems = checked.problems.join('; ');
    if (!served) throw new Error(`Invalid flags document ${file}: ${problems}`);
    onProblem(`${file} is not valid, still serving ${served.versionLabel}: ${problems}`);
    return served;
  }
  state.served = { versionLabel: flagsVersionLabel(text), configuration: checked.configuration };
  return state.served;
}

function matches(names: FlagsNames, token: Pick<Token, 'a' | 'e' | 'p'>): boolean {
  return token.a === names.application && token.e === names.environment && token.p === names.profile;
}

/** StartConfigurationSession. */
function startSession(state: FlagsState, request: http.IncomingMessage, response: http.ServerResponse): void {
  const { names } = state;
  readBody(request)
    .then((body) => {
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(body || '{}') as Record<string, unknown>;
      } catch {
        error(response, 400, 'BadRequestException', 'The request body is not JSON.');
        return;
      }
      const token: Token = {
        a: String(input.ApplicationIdentifier ?? ''),
        e: String(input.EnvironmentIdentifier ?? ''),
        p: String(input.ConfigurationProfileIdentifier ?? ''),
        v: '',
        i: Math.max(15, Number(input.RequiredMinimumPollIntervalInSeconds) || state.pollIntervalSeconds),
      };
      if (!matches(names, token)) {
        error(
          response,
          404,
          'ResourceNotFoundException',
          `No deployed configuration ${token.a}/${token.e}/${token.p}: this local cloud serves ${names.application}/${names.environment}/${names.profile}.`,
        );
        return;
      }
      state.stats.sessions++;
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ InitialConfigurationToken: encodeToken(token) }));
    })
    .catch((cause: unknown) => error(response, 500, 'InternalServerException', String(cause)));
}

/** GetLatestConfiguration: an empty body when the token's holder already has the version. */
function latestConfiguration(state: FlagsState, url: URL, response: http.ServerResponse): void {
  const token = decodeToken(url.searchParams.get('configuration_token'));
  if (!token || !matches(state.names, token)) {
    error(response, 400, 'BadRequestException', 'The configuration token is not valid.');
    return;
  }
  let flags: ServedFlags;
  try {
    flags = currentFlags(state);
  } catch (cause) {
    error(response, 500, 'InternalServerException', String(cause));
    return;
  }
  state.stats.polls++;
  const unchanged = token.v === flags.versionLabel;
  if (unchanged) state.stats.emptyPolls++;
  const body = unchanged ? '' : JSON.stringify(flags.configuration);
  response.writeHead(200, {
    'content-type': 'application/json',
    'next-poll-configuration-token': encodeToken({ ...token, v: flags.versionLabel }),
    'next-poll-interval-in-seconds': String(token.i),
    'version-label': flags.versionLabel,
    'content-length': String(Buffer.byteLength(body)),
  });
  response.end(body);
}

export function createAppConfigDataService(options: AppConfigDataServiceOptions): AppConfigDataService {
  const { file, names, limits, onProblem = () => undefined, pollIntervalSeconds = 60 } = options;
  const state: FlagsState = {
    file,
    names,
    limits,
    onProblem,
    pollIntervalSeconds,
    stats: { sessions: 0, polls: 0, emptyPolls: 0 },
    served: undefined,
    lastText: undefined,
  };
  const current = () => currentFlags(state);
  current(); // an invalid document fails the start, as it fails `cdk synth`

  const handler: http.RequestListener = (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'POST' && url.pathname === '/configurationsessions') {
      startSession(state, request, response);
      return;
    }
    if (request.method === 'GET' && url.pathname === '/configuration') {
      latestConfiguration(state, url, response);
      return;
    }
    error(
      response,
      404,
      'UnknownOperationException',
      `No AppConfigData operation ${request.method} ${url.pathname}.`,
    );
  };

  return { handler, current, stats: () => ({ ...state.stats }) };
}
