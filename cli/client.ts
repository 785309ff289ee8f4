/**
 * The CLI's only way into DevFlow: the REST API at DEVFLOW_API with DEVFLOW_TOKEN. On the
 * machine that runs `devflow up`, the admin token file is used when DEVFLOW_TOKEN is unset.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readCliSettings } from '../core/settings.js';
import { readCredentials } from './credentials.js';
import { CliError } from './errors.js';

export { CliError };

export interface ApiClient {
  base: string;
  request<T>(method: string, route: string, body?: unknown): Promise<T>;
  stream(route: string, onChunk: (text: string) => void): Promise<void>;
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
  const token = resolveToken(env);
  const headers = (): Record<string, string> => {
    if (!token) throw new CliError('no token: set DEVFLOW_TOKEN (the admin token is in $DEVFLOW_HOME/admin-token)', 'no_token');
    return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  };
  const send = async (method: string, route: string, body?: unknown) => {
    try {
      return await fetch(`${base}/api/v1${route}`, { method, headers: headers(), body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`cannot reach DevFlow at ${base}: is \`devflow up\` running? (set DEVFLOW_API to point elsewhere)`, 'unreachable');
    }
  };
  return {
    base,
    async request<T>(method: string, route: string, body?: unknown): Promise<T> {
      const res = await send(method, route, body);
      const text = await res.text();
      const parsed = text ? (JSON.parse(text) as unknown) : undefined;
      if (!res.ok) throw apiError(res.status, parsed);
      return parsed as T;
    },
    async stream(route, onChunk) {
      const res = await send('GET', route);
      if (!res.ok || !res.body) throw apiError(res.status, await res.json().catch(() => undefined), `HTTP ${res.status} from ${route}`);
      const decoder = new TextDecoder();
      for await (const chunk of res.body) onChunk(decoder.decode(chunk as Uint8Array, { stream: true }));
    },
  };
}

/** The API's error envelope `{ error: { code, message } }` as a CliError that keeps the code. */
function apiError(status: number, body: unknown, fallback = `HTTP ${status}`): CliError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
  return new CliError(typeof error?.message === 'string' ? error.message : fallback, code, status);
}
