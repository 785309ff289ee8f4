/**
 * Where a project's backend is served (backend/README.md, "URL forms"). Two forms reach the
 * same gateway:
 *
 * - host form, through the router like apps: `https://<project>--api.<domain>`. App names never
 *   contain `--` (core/names.ts), nor do preview names (`pv-<hex>`), so this one-label host can
 *   never be an app's or a preview's host, and the `*.<domain>` wildcard certificate covers it.
 * - path form, on DevFlow's API port: `http://<host>:<port>/backend/<project>`. It needs no name
 *   resolution beyond the address itself, so it works from Node on the DevFlow machine (Node does
 *   not resolve `*.localhost`) and from app processes on every runtime. supabase-js keeps a path
 *   prefix of SUPABASE_URL, so `createClient(url, key)` works unchanged with it.
 */

export const PATH_PREFIX = '/backend/';
const HOST_SUFFIX = '--api';

export interface BackendTarget {
  /** The project's name (an app's, or a preview's `pv-<hex>`), not yet checked against the store. */
  project: string;
  /** What follows the project: "/rest/v1/todos?select=id"; "/" when nothing does. */
  path: string;
  /** Which form named the project: the host form comes through the router (client-address.ts). */
  form: 'host' | 'path';
}

const PROJECT = /^[a-z][a-z0-9-]{0,62}$/;

export function backendHostName(project: string, domain: string): string {
  return `${project}${HOST_SUFFIX}.${domain}`;
}

/** The Host header's name without port, lowercased; undefined when there is none. */
function hostName(header: string | undefined): string | undefined {
  if (header === undefined || header === '' || header.startsWith('[')) return undefined;
  return header.split(':')[0]!.toLowerCase().replace(/\.$/, '');
}

/** Which project a request is for, by its host or its path; undefined for anything else. */
export function resolveBackendTarget(hostHeader: string | undefined, url: string, domain: string): BackendTarget | undefined {
  const host = hostName(hostHeader);
  const suffix = `${HOST_SUFFIX}.${domain}`;
  if (host !== undefined && host.endsWith(suffix)) {
    const project = host.slice(0, -suffix.length);
    if (PROJECT.test(project) && !project.includes('--')) return { project, path: url.startsWith('/') ? url : `/${url}`, form: 'host' };
  }
  if (!url.startsWith(PATH_PREFIX)) return undefined;
  const rest = url.slice(PATH_PREFIX.length);
  const end = rest.search(/[/?]/);
  const project = end === -1 ? rest : rest.slice(0, end);
  if (!PROJECT.test(project) || project.includes('--')) return undefined;
  const path = end === -1 ? '/' : rest.slice(end);
  return { project, path: path.startsWith('?') ? `/${path}` : path, form: 'path' };
}

/** `localhost` and its subdomains: browsers and curl resolve them, Node does not. */
export function isLocalDomain(domain: string): boolean {
  return domain === 'localhost' || domain.endsWith('.localhost');
}

export interface UrlSettings {
  domain: string;
  /** DevFlow's API and git port, where the path form is served. */
  apiPort: number;
  httpsPort: number;
}

/** The host form over HTTPS, as the router serves apps. */
export function hostFormUrl(project: string, s: UrlSettings): string {
  const port = s.httpsPort === 443 ? '' : `:${s.httpsPort}`;
  return `https://${backendHostName(project, s.domain)}${port}`;
}

/** The path form at an address; the caller picks one its client can reach. */
export function pathFormUrl(project: string, address: string, apiPort: number): string {
  return `http://${address}:${apiPort}${PATH_PREFIX}${project}`;
}

/**
 * The URL `devflow backend` prints and the dashboard shows: on a public domain the host form;
 * on a `localhost` domain the path form at 127.0.0.1, which Node, curl and browsers on the
 * machine all reach.
 */
export function publicUrl(project: string, s: UrlSettings): string {
  return isLocalDomain(s.domain) ? pathFormUrl(project, '127.0.0.1', s.apiPort) : hostFormUrl(project, s);
}

/**
 * SUPABASE_URL and its NEXT_PUBLIC_ twin for an app's processes. Server code gets the path form
 * at the address its runtime reaches DevFlow by (127.0.0.1, or the Docker bridge gateway for
 * containers). The browser twin is the same on a `localhost` domain (a browser on the machine
 * reaches both addresses) and the public host form otherwise.
 */
export function processUrls(project: string, s: UrlSettings, processAddress: string): { server: string; browser: string } {
  const server = pathFormUrl(project, processAddress, s.apiPort);
  return { server, browser: isLocalDomain(s.domain) ? server : hostFormUrl(project, s) };
}
