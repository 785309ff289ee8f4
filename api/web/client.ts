/// <reference lib="dom" />
/**
 * The dashboard's API client. The token lives in sessionStorage: it survives reloads of the tab
 * and is gone when the tab closes, and because the API reads only the Authorization header (no
 * cookie), other sites cannot make the browser act with it (no CSRF). The strict CSP that
 * static.ts sends keeps foreign scripts from reading it.
 */
const KEY = 'devflow.token';
const REFRESH = 'devflow.refresh';
const TEAM = 'devflow.team';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export const session = {
  token: (): string | null => sessionStorage.getItem(KEY),
  signIn: (token: string, refresh?: string) => {
    sessionStorage.setItem(KEY, token.trim());
    if (refresh) sessionStorage.setItem(REFRESH, refresh);
    else sessionStorage.removeItem(REFRESH);
  },
  signOut: () => {
    const token = sessionStorage.getItem(KEY);
    // A password session also ends on the server; an API token stays valid (revoke it with the CLI).
    if (token && sessionStorage.getItem(REFRESH)) void fetch('/api/v1/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    for (const key of [KEY, REFRESH, TEAM]) sessionStorage.removeItem(key);
  },
  /** The team chosen in the header's switcher; '' for all of the caller's teams. */
  team: (): string => sessionStorage.getItem(TEAM) ?? '',
  setTeam: (team: string) => sessionStorage.setItem(TEAM, team),
};

/**
 * Signs in with email and password (issue 19), and the two-factor code when the person has one
 * on: 'ok', 'code_needed' (ask for the code and call again with it), or the API's message
 * (wrong password or code, retry later).
 */
export async function signInWithPassword(email: string, password: string, code?: string): Promise<'ok' | 'code_needed' | { error: string }> {
  const res = await fetch('/api/v1/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password, ...(code ? { code } : {}) }),
  });
  const body = (await res.json().catch(() => ({}))) as { accessToken?: string; refreshToken?: string; error?: { code: string; message: string } };
  if (body.error?.code === 'totp_required') return 'code_needed';
  if (!res.ok || !body.accessToken) return { error: body.error?.message ?? `DevFlow answered HTTP ${res.status}` };
  session.signIn(body.accessToken, body.refreshToken);
  return 'ok';
}

/** The access token of a password session lasts 15 minutes: trade the refresh token once. */
async function refreshSession(): Promise<boolean> {
  const refreshToken = sessionStorage.getItem(REFRESH);
  if (!refreshToken) return false;
  const res = await fetch('/api/v1/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) });
  if (!res.ok) return false;
  const body = (await res.json()) as { accessToken: string; refreshToken: string };
  sessionStorage.setItem(KEY, body.accessToken);
  sessionStorage.setItem(REFRESH, body.refreshToken);
  return true;
}

/** Checks a token before keeping it: 'ok', 'invalid' (401), or throws for other failures. */
export async function checkToken(token: string): Promise<'ok' | 'invalid'> {
  const res = await fetch('/api/v1/apps?limit=1', { headers: { authorization: `Bearer ${token.trim()}` } });
  if (res.status === 401) return 'invalid';
  if (!res.ok) throw new ApiError(res.status, 'http', `DevFlow answered HTTP ${res.status}`);
  return 'ok';
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const send = () => fetch(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${session.token() ?? ''}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let res = await send();
  if (res.status === 401 && (await refreshSession())) res = await send();
  const text = await res.text();
  const parsed = text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : text;
  if (!res.ok) {
    const error = (parsed as { error?: { code: string; message: string } }).error;
    if (res.status === 401) {
      session.signOut();
      location.hash = '#/signin';
    }
    throw new ApiError(res.status, error?.code ?? 'http', error?.message ?? `HTTP ${res.status}`);
  }
  return parsed as T;
}

/** Reads a streamed response line by line (followed runtime logs) until `signal` aborts. */
export async function streamLines(path: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(`/api/v1${path}`, { headers: { authorization: `Bearer ${session.token() ?? ''}` }, signal });
  if (!res.ok || !res.body) throw new ApiError(res.status, 'http', `HTTP ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    pending += value;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(onLine);
  }
}

export interface LiveEvent {
  type: 'deployment.state' | 'deployment.log' | 'release.created' | 'app.changed';
  app: string;
  deploymentId?: number;
  state?: string;
  seq?: number;
  line?: string;
  version?: number;
}

/**
 * Subscribes to /api/v1/events. EventSource cannot send headers, so a 60-second ticket goes in
 * the URL; on an error the stream is reopened with a fresh ticket.
 */
export function subscribe(app: string | undefined, onEvent: (e: LiveEvent) => void, onStatus: (live: boolean) => void): () => void {
  let source: EventSource | undefined;
  let closed = false;
  const open = async () => {
    if (closed) return;
    try {
      const { ticket } = await api<{ ticket: string }>('POST', '/events/ticket');
      const query = new URLSearchParams({ ticket, ...(app ? { app } : {}) });
      source = new EventSource(`/api/v1/events?${query}`);
      source.onopen = () => onStatus(true);
      for (const type of ['deployment.state', 'deployment.log', 'release.created', 'app.changed']) {
        source.addEventListener(type, (m) => onEvent(JSON.parse((m as MessageEvent<string>).data) as LiveEvent));
      }
      source.onerror = () => {
        onStatus(false);
        source?.close();
        setTimeout(() => void open(), 2000);
      };
    } catch {
      onStatus(false);
      setTimeout(() => void open(), 5000);
    }
  };
  void open();
  return () => {
    closed = true;
    source?.close();
  };
}
