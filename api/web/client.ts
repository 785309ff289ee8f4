/// <reference lib="dom" />
/**
 * The dashboard's API client. The token lives in sessionStorage: it survives reloads of the tab
 * and is gone when the tab closes, and because the API reads only the Authorization header (no
 * cookie), other sites cannot make the browser act with it (no CSRF). The strict CSP that
 * static.ts sends keeps foreign scripts from reading it.
 */
const KEY = 'devflow.token';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export const session = {
  token: (): string | null => sessionStorage.getItem(KEY),
  signIn: (token: string) => sessionStorage.setItem(KEY, token.trim()),
  signOut: () => sessionStorage.removeItem(KEY),
};

/** Checks a token before keeping it: 'ok', 'invalid' (401), or throws for other failures. */
export async function checkToken(token: string): Promise<'ok' | 'invalid'> {
  const res = await fetch('/api/v1/apps?limit=1', { headers: { authorization: `Bearer ${token.trim()}` } });
  if (res.status === 401) return 'invalid';
  if (!res.ok) throw new ApiError(res.status, 'http', `DevFlow answered HTTP ${res.status}`);
  return 'ok';
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${session.token() ?? ''}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
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
