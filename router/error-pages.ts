/**
 * The pages the embedded proxy answers with when it cannot reach an app. Each says what is wrong
 * in words a developer can act on, with the status a client or load balancer expects. HTML for
 * browsers, plain text for everything else (curl, health checkers).
 */
import { STATUS_CODES } from 'node:http';

export type ProxyFailure =
  | { kind: 'missing-host' }
  | { kind: 'duplicate-host' }
  | { kind: 'connect-method' }
  | { kind: 'unknown-host'; host: string }
  | { kind: 'no-instance'; app: string }
  | { kind: 'crashed'; app: string }
  | { kind: 'upstream-unreachable'; app: string; code: string }
  | { kind: 'upstream-timeout'; app: string; timeoutMs: number };

export interface ErrorPage {
  status: number;
  contentType: string;
  body: string;
}

function describeFailure(failure: ProxyFailure): { status: number; message: string; hint: string } {
  switch (failure.kind) {
    case 'missing-host':
      return { status: 400, message: 'Missing Host header', hint: 'DevFlow routes each request by its Host header.' };
    case 'duplicate-host':
      return {
        status: 400,
        message: 'The request has more than one Host header',
        hint: 'A request names one host (RFC 9112 §3.2); proxies that disagree on which one is meant can be fooled.',
      };
    case 'connect-method':
      return {
        status: 405,
        message: 'CONNECT is not supported',
        hint: 'DevFlow routes HTTP requests to apps by Host; it is not a forward proxy.',
      };
    case 'unknown-host':
      return {
        status: 404,
        message: `No app is configured at ${failure.host}`,
        hint: 'Check the app name in the URL, or add this host as a custom domain.',
      };
    case 'no-instance':
      return {
        status: 503,
        message: `${failure.app} has no running instance`,
        hint: 'Deploy the app or scale its web process above zero.',
      };
    case 'crashed':
      return {
        status: 503,
        message: `${failure.app} has crashed and is not serving requests`,
        hint: 'Look at the app logs to find out why it exited, then redeploy or restart it.',
      };
    case 'upstream-unreachable':
      return {
        status: 502,
        message: `${failure.app} did not accept the connection (${failure.code})`,
        hint: 'The instance may be starting, stopping, or not listening on $PORT.',
      };
    case 'upstream-timeout':
      return {
        status: 504,
        message: `${failure.app} did not answer within ${formatDuration(failure.timeoutMs)}`,
        hint: 'The request took too long; look at the app logs.',
      };
    default: {
      const never: never = failure;
      throw new Error(`unknown proxy failure ${JSON.stringify(never)}`);
    }
  }
}

function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} seconds` : `${ms} ms`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Keeps control characters and oversize Host headers out of what we echo back. */
function printable(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && /text\/html/i.test(accept);
}

export function renderErrorPage(failure: ProxyFailure, accept: string | undefined, requestId: string): ErrorPage {
  const { status, message: raw, hint } = describeFailure(failure);
  const message = printable(raw);
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  if (!wantsHtml(accept)) {
    return {
      status,
      contentType: 'text/plain; charset=utf-8',
      body: `${title}\n${message}\n${hint}\nrequest id: ${requestId}\n`,
    };
  }
  const body = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}',
    'small{color:#777}</style></head><body>',
    `<h1>${escapeHtml(message)}</h1>`,
    `<p>${escapeHtml(hint)}</p>`,
    `<p><small>${escapeHtml(title)} · DevFlow router · request id ${escapeHtml(requestId)}</small></p>`,
    '</body></html>',
    '',
  ].join('\n');
  return { status, contentType: 'text/html; charset=utf-8', body };
}

/** A response the proxy makes itself (error page, redirect, ACME challenge) as raw HTTP/1.1 bytes. */
export interface LocalResponse {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

export function pageResponse(page: ErrorPage): LocalResponse {
  return { status: page.status, headers: [['Content-Type', page.contentType]], body: page.body };
}

/**
 * No body for HEAD; `close` says the connection ends after it. Always uncacheable. The head is
 * latin1 (a Location echoes the request's bytes), the body UTF-8.
 */
export function rawResponse(response: LocalResponse, requestId: string, options: { head?: boolean; close?: boolean } = {}): Buffer {
  let raw = `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? 'Error'}\r\n`;
  for (const [name, value] of response.headers) raw += `${name}: ${value}\r\n`;
  raw += `Content-Length: ${Buffer.byteLength(response.body)}\r\nCache-Control: no-store\r\nX-Request-Id: ${requestId}\r\n`;
  if (options.close === true) raw += 'Connection: close\r\n';
  return Buffer.concat([Buffer.from(`${raw}\r\n`, 'latin1'), Buffer.from(options.head === true ? '' : response.body, 'utf8')]);
}
