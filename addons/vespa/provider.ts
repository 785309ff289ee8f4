/**
 * The `vespa` add-on (issue 21): a Vespa application the operator runs and names
 * (`--url http://search.internal:8080`, its container cluster's endpoint). Vespa's document API
 * (`/document/v1/{namespace}/{document-type}/docid/{id}`) keeps documents apart by namespace,
 * a path element that needs no creating, so each app gets its own: `app-<app>`. At create time
 * DevFlow checks that the endpoint is up (`GET /state/v1/health` answers `"code": "up"`) and that
 * an application is deployed there (`GET /ApplicationStatus`), a 400 naming what failed
 * otherwise. Tenants and schemas belong to the operator's application package (deployed through
 * the config server); DevFlow does not deploy packages. Apps get VESPA_URL and VESPA_NAMESPACE.
 * Credentials in the URL (user:password@) are masked in every view and sealed in the store.
 */
import { InvalidInputError } from '../../core/errors.js';
import type { AppName } from '../../core/names.js';
import { maskUrl, type AddonApp, type AddonDetails, type AddonOptions, type AddonProvider, type BackupResult, type Provisioned, type StoredAddon } from '../provider.js';
import { callServer, parseServerUrl, refuseUnknownOptions } from '../external/reach.js';

const OPTIONS = ['url'] as const;

interface VespaSettings {
  /** The URL without credentials (they are the sealed secret). */
  url: string;
  namespace: string;
}

export function namespaceFor(app: AppName): string {
  return `app-${app}`;
}

/** The answer of /state/v1/health: up, or why not. */
export function healthProblem(status: number, body: unknown): string | undefined {
  if (status === 401 || status === 403) return 'refused the request (HTTP ' + status + '): check the credentials in --url';
  const code = (body as { status?: { code?: string } } | undefined)?.status?.code;
  if (status === 200 && code === 'up') return undefined;
  if (status === 200 && typeof code === 'string') return `is not up (status "${code}")`;
  return `answered HTTP ${status} at /state/v1/health: is this a Vespa container endpoint (port 8080)?`;
}

export class VespaProvider implements AddonProvider {
  readonly kind = 'vespa';
  readonly previews = 'external' as const;
  readonly summary = 'Vespa on a server you run: VESPA_URL and a document namespace per app';
  readonly options = OPTIONS;

  async provision(app: AddonApp, options: AddonOptions): Promise<Provisioned> {
    refuseUnknownOptions(this.kind, options, OPTIONS);
    const url = parseServerUrl(options.url, 'url', ['http', 'https'], 'http://search.internal:8080');
    const secret = url.username === '' ? undefined : `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    url.username = '';
    url.password = '';
    const base = url.toString().replace(/\/+$/, '');
    const where = `vespa at ${base}`;
    const headers = authHeaders(secret);
    const health = await callServer(where, `${base}/state/v1/health`, { headers });
    const problem = healthProblem(health.status, health.body);
    if (problem) throw new InvalidInputError(`${where} ${problem}`);
    const status = await callServer(where, `${base}/ApplicationStatus`, { headers });
    if (status.status !== 200) throw new InvalidInputError(`${where} has no application deployed (GET /ApplicationStatus answered HTTP ${status.status}): deploy your application package first`);
    const settings: VespaSettings = { url: base, namespace: namespaceFor(app.name) };
    return secret === undefined ? { settings: { ...settings } } : { settings: { ...settings }, secret };
  }

  bindEnv(addon: StoredAddon): Record<string, string> {
    const s = addon.settings as unknown as VespaSettings;
    return { VESPA_URL: withCredentials(s.url, addon.secret), VESPA_NAMESPACE: s.namespace };
  }

  describe(addon: StoredAddon): AddonDetails {
    const s = addon.settings as unknown as VespaSettings;
    return {
      plan: `document namespace ${s.namespace} on your Vespa`,
      connection: maskUrl(withCredentials(s.url, addon.secret)),
      info: { namespace: s.namespace },
    };
  }

  backup(): Promise<BackupResult> {
    return Promise.reject(new InvalidInputError("a vespa add-on's documents live on your Vespa: back them up there (vespa visit)"));
  }

  /**
   * The app's documents stay: removing them needs each document type and cluster of the
   * operator's application (a selection delete per type), which DevFlow does not know.
   */
  async deprovision(): Promise<void> {}
}

function authHeaders(secret: string | undefined): Record<string, string> {
  return secret === undefined ? {} : { authorization: `Basic ${Buffer.from(secret).toString('base64')}` };
}

function withCredentials(base: string, secret: string | undefined): string {
  if (secret === undefined) return base;
  const url = new URL(base);
  const colon = secret.indexOf(':');
  url.username = encodeURIComponent(secret.slice(0, colon));
  url.password = encodeURIComponent(secret.slice(colon + 1));
  return url.toString().replace(/\/+$/, '');
}
