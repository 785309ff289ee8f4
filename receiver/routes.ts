/**
 * Routing for git's smart HTTP protocol (gitprotocol-http(5)): which of the four requests a URL
 * is, for which app. Pure functions, so every URL shape is tested with a table.
 *
 *   GET  /<app>.git/info/refs?service=git-upload-pack|git-receive-pack   ref advertisement
 *   POST /<app>.git/git-upload-pack | /<app>.git/git-receive-pack         the RPC itself
 *
 * The dumb protocol (GET /<app>.git/HEAD, /objects/...) is not served: it would bypass hooks.
 */
import { parseAppName, type AppName } from '../core/names.js';
import { errorMessage } from '../core/errors.js';

export type GitService = 'upload-pack' | 'receive-pack';

export type GitRoute =
  | { kind: 'advertise'; app: AppName; service: GitService }
  | { kind: 'rpc'; app: AppName; service: GitService }
  | { kind: 'invalid'; status: 400 | 404 | 405; message: string };

const SERVICES: readonly GitService[] = ['upload-pack', 'receive-pack'];

function parseService(raw: string | null): GitService | null {
  if (raw === null || !raw.startsWith('git-')) return null;
  const name = raw.slice(4);
  return (SERVICES as readonly string[]).includes(name) ? (name as GitService) : null;
}

/**
 * Returns null when the URL is not a git URL at all (its first path segment does not end in
 * `.git`), so the caller can route it elsewhere.
 */
export function parseGitRoute(method: string | undefined, rawUrl: string | undefined): GitRoute | null {
  const url = new URL(rawUrl ?? '/', 'http://git.invalid');
  const match = /^\/([^/]+)\.git(\/.*)?$/.exec(url.pathname);
  if (!match) return null;
  const [, rawName = '', rest = ''] = match;
  let app: AppName;
  try {
    app = parseAppName(decodeURIComponent(rawName));
  } catch (err) {
    return { kind: 'invalid', status: 400, message: errorMessage(err) };
  }
  if (rest === '/info/refs') {
    const service = parseService(url.searchParams.get('service'));
    if (!service) return notFound('only the smart HTTP protocol is served: upgrade git to 1.6.6 or later');
    return method === 'GET' ? { kind: 'advertise', app, service } : notAllowed();
  }
  const rpc = /^\/(git-[a-z-]+)$/.exec(rest);
  const service = rpc ? parseService(rpc[1] ?? null) : null;
  if (service) return method === 'POST' ? { kind: 'rpc', app, service } : notAllowed();
  return notFound(`not a git smart HTTP path: ${url.pathname}`);
}

function notFound(message: string): GitRoute {
  return { kind: 'invalid', status: 404, message };
}

function notAllowed(): GitRoute {
  return { kind: 'invalid', status: 405, message: 'method not allowed' };
}

/** Reads HTTP basic credentials; the password may contain ':' (RFC 7617 splits at the first). */
export function parseBasicAuth(header: string | undefined): { username: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** One pkt-line: four hex digits of length (including themselves), then the payload. */
export function pktLine(payload: string): string {
  const length = Buffer.byteLength(payload) + 4;
  return length.toString(16).padStart(4, '0') + payload;
}

export const FLUSH_PKT = '0000';

/**
 * The `# service=` preamble smart HTTP puts before a v0 advertisement. Protocol v2 (asked for
 * with the Git-Protocol header, upload-pack only) has none: git http-backend does the same.
 */
export function advertisementPreamble(service: GitService, protocolV2: boolean): string {
  if (protocolV2 && service === 'upload-pack') return '';
  return pktLine(`# service=git-${service}\n`) + FLUSH_PKT;
}

/** The Git-Protocol header is passed to git as GIT_PROTOCOL only when it looks like one. */
export function parseGitProtocol(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value || !/^[A-Za-z0-9=:._-]{1,200}$/.test(value)) return null;
  return value;
}
