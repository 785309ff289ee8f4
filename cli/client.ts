/**
 * The CLI's only way into DevFlow: the REST API at DEVFLOW_API with DEVFLOW_TOKEN. On the
 * machine that runs `devflow up`, the admin token file is used when DEVFLOW_TOKEN is unset.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { readCliSettings } from '../core/settings.js';
import { readCredentials, writeCredentials } from './credentials.js';
import { CliError } from './errors.js';

export { CliError };

export interface RequestOptions {
  /** Send no credential (signing up and in). */
  anonymous?: boolean;
  /** A JSON body's own media type (a function deploy's, with its own size limit). */
  contentType?: string;
}

export interface ApiClient {
  base: string;
  request<T>(method: string, route: string, body?: unknown, options?: RequestOptions): Promise<T>;
  /** GET, or POST with `body` (e.g. `devflow run`), printing the response as it comes. */
  stream(route: string, onChunk: (text: string) => void, body?: unknown): Promise<void>;
  /** GET `route`'s bytes into `write` (a backup's file); resolves with the response headers. */
  download(route: string, write: NodeJS.WritableStream): Promise<http.IncomingHttpHeaders>;
}

export function resolveToken(env: NodeJS.ProcessEnv): string | undefined {
  const settings = readCliSettings(env);
  if (settings.token) return settings.token;
  // What `devflow login` stored, unless DEVFLOW_API points at another DevFlow.
  const saved = readCredentials(env);
  if (saved && (!settings.api || settings.api === saved.api)) return saved.token;
  try {
    return fs.readFileSync(path.join(settings.home, 'admin-token'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function createClient(env: NodeJS.ProcessEnv): ApiClient {
  const base = (readCliSettings(env).api ?? readCredentials(env)?.api ?? 'http://localhost:7070').replace(/\/+$/, '');
  let token = resolveToken(env);
  const headers = (anonymous = false): Record<string, string> => {
    if (anonymous) return { 'content-type': 'application/json' };
    if (!token) throw new CliError('no token: set DEVFLOW_TOKEN (the admin token is in $DEVFLOW_HOME/admin-token)', 'no_token');
    return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  };
  const send = async (method: string, route: string, body?: unknown, options: RequestOptions = {}) => {
    const auth = options.contentType ? { ...headers(options.anonymous), 'content-type': options.contentType } : headers(options.anonymous);
    try {
      return await sendRequest(new URL(`${base}/api/v1${route}`), method, auth, body === undefined ? undefined : JSON.stringify(body));
    } catch {
      throw new CliError(`cannot reach DevFlow at ${base}: is \`devflow up\` running? (set DEVFLOW_API to point elsewhere)`, 'unreachable');
    }
  };
  const request = async <T>(method: string, route: string, body?: unknown, options: RequestOptions = {}): Promise<T> => {
    let res = await send(method, route, body, options);
    // A signed-in session's access token lasts 15 minutes: trade the stored refresh token once.
    if (res.statusCode === 401 && !options.anonymous && (await refreshStoredSession(env, base, token, send))) {
      token = resolveToken(env);
      res = await send(method, route, body, options);
    }
    const text = await readText(res);
    if (!isOk(res)) throw apiError(res.statusCode ?? 0, parseJson(text));
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    base,
    request,
    async stream(route, onChunk, body) {
      const res = await send(body === undefined ? 'GET' : 'POST', route, body);
      if (!isOk(res)) {
        const text = await readText(res);
        throw apiError(res.statusCode ?? 0, parseJson(text), `HTTP ${res.statusCode} from ${route}`);
      }
      res.setEncoding('utf8');
      for await (const chunk of res) onChunk(chunk as string);
    },
    async download(route, write) {
      const res = await send('GET', route);
      if (!isOk(res)) throw apiError(res.statusCode ?? 0, parseJson(await readText(res)), `HTTP ${res.statusCode} from ${route}`);
      await pipeline(res, write);
      return res.headers;
    },
  };
}

/**
 * When the token in use is the stored session's, trades its refresh token for a new pair and
 * stores it (issue 19); false when there is nothing to refresh or the refresh is refused.
 */
async function refreshStoredSession(
  env: NodeJS.ProcessEnv, base: string, token: string | undefined,
  send: (method: string, route: string, body: unknown, options: RequestOptions) => Promise<http.IncomingMessage>,
): Promise<boolean> {
  const saved = readCredentials(env);
  if (!saved?.refreshToken || saved.token !== token || saved.api !== base) return false;
  const res = await send('POST', '/auth/refresh', { refreshToken: saved.refreshToken }, { anonymous: true });
  const body = parseJson(await readText(res)) as { accessToken?: string; refreshToken?: string } | undefined;
  if (!isOk(res) || !body?.accessToken || !body.refreshToken) return false;
  writeCredentials(env, { api: base, token: body.accessToken, refreshToken: body.refreshToken });
  return true;
}

/**
 * node:http rather than fetch: Node builds fetch (undici) on first use, which costs about as much
 * CPU as the rest of the CLI's start-up (docs/benchmarks.md, CLI start-up).
 */
async function sendRequest(url: URL, method: string, headers: Record<string, string>, body: string | undefined): Promise<http.IncomingMessage> {
  const transport = url.protocol === 'https:' ? await import('node:https') : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

const isOk = (res: http.IncomingMessage) => (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;

async function readText(res: http.IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let text = '';
  for await (const chunk of res) text += chunk as string;
  return text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The API's error envelope `{ error: { code, message } }` as a CliError that keeps the code. */
function apiError(status: number, body: unknown, fallback = `HTTP ${status}`): CliError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
  return new CliError(typeof error?.message === 'string' ? error.message : fallback, code, status);
}
