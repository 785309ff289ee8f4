/**
 * A project's OAuth providers (GitHub, Google), as Supabase Auth's `external` settings: client id,
 * client secret, enabled, and for GitHub the base URL of a GitHub Enterprise Server (GoTrue's
 * GOTRUE_EXTERNAL_GITHUB_URL). Stored per project (migration 085) with the secret sealed by the
 * platform key; every view of them shows the secret masked (`…wxyz`), as the Stripe keys are.
 * The registry hands the enabled ones to Auth with the project (contract.ts `externalProviders`).
 *
 * DevFlow itself calls the GitHub URL (the token exchange and the user API, auth/oauth.ts), so
 * it follows the rule of every host DevFlow contacts for a user (core/outbound-hosts.ts): no
 * loopback, link-local or private host, as written or as resolved, unless the operator allows
 * it in DEVFLOW_GIT_ALLOW_HOSTS. Otherwise anyone who may configure an app could make
 * DevFlow's machine call its own internal services.
 */
import { InvalidInputError } from '../core/errors.js';
import { ALLOW_HOSTS_HINT, hostRefusal, privateResolution, type Resolve } from '../core/outbound-hosts.js';
import { openSecret, sealSecret, type SecretKey } from '../core/secrets.js';
import type { Sql } from '../core/store/database.js';
import type { ExternalProvider, ExternalProviderName } from './contract.js';

export const PROVIDER_NAMES: readonly ExternalProviderName[] = ['github', 'google'];

/** What a change may set; a field left out keeps its stored value; `url: null` removes the URL. */
export interface ProviderChange {
  enabled?: boolean;
  clientId?: string;
  secret?: string;
  url?: string | null;
}

export type ProviderChanges = Partial<Record<ExternalProviderName, ProviderChange>>;

/** What the API, the CLI and the dashboard show: never the secret itself. */
export interface ProviderView {
  enabled: boolean;
  clientId: string | null;
  /** The secret's last four characters (`…wxyz`), or null when none is set. */
  secret: string | null;
  url: string | null;
}

export interface StoredProvider extends ExternalProvider {
  enabled: boolean;
}

export function maskSecret(secret: string): string {
  return secret.length < 12 ? '…' : `…${secret.slice(-4)}`;
}

/**
 * Checks a GitHub Enterprise Server URL as written: http(s), no credentials, query or fragment,
 * and a host DevFlow may contact (`allowHosts`: DEVFLOW_GIT_ALLOW_HOSTS). Returns its host.
 */
export function checkProviderUrl(input: string, allowHosts: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new InvalidInputError(`github url "${input}" is not a URL (e.g. https://github.example.com)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidInputError(`github url "${input}" must be http(s)`);
  if (url.username || url.password || url.search || url.hash) throw new InvalidInputError(`github url "${input}" must hold no credentials, query or fragment`);
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const why = hostRefusal(host, allowHosts);
  if (why !== undefined) throw refusedUrl(input, why);
  return host;
}

/** Checks what a URL's host resolves to now (at save time; auth/oauth.ts checks again at each call). */
export async function checkProviderUrlResolves(input: string, allowHosts: readonly string[], resolve?: Resolve): Promise<void> {
  const host = checkProviderUrl(input, allowHosts);
  const bad = await privateResolution(host, allowHosts, resolve);
  if (bad) throw refusedUrl(input, `${host} resolves to ${bad}, a loopback, link-local or private address`);
}

function refusedUrl(input: string, why: string): InvalidInputError {
  return new InvalidInputError(`github url "${input}" is refused: ${why}. DevFlow calls this URL itself, so it must be a public host (${ALLOW_HOSTS_HINT})`);
}

/**
 * The stored provider after a change; an enabled provider needs a client id and a secret, and a
 * new URL must name a host DevFlow may contact (`allowHosts`: DEVFLOW_GIT_ALLOW_HOSTS).
 */
export function mergeProvider(provider: ExternalProviderName, stored: StoredProvider | undefined, change: ProviderChange, allowHosts: readonly string[] = []): StoredProvider {
  const url = change.url === undefined ? stored?.url : change.url ?? undefined;
  const merged: StoredProvider = {
    provider,
    enabled: change.enabled ?? stored?.enabled ?? true,
    clientId: change.clientId ?? stored?.clientId ?? '',
    secret: change.secret ?? stored?.secret ?? '',
    ...(url ? { url } : {}),
  };
  if (merged.enabled && (merged.clientId === '' || merged.secret === '')) {
    throw new InvalidInputError(`${provider} needs a client id and a secret before it is enabled (devflow backend:set <app> external_${provider}_client_id=… external_${provider}_secret=…)`);
  }
  if (merged.url !== undefined && provider !== 'github') throw new InvalidInputError(`only github takes a url (a GitHub Enterprise Server), not ${provider}`);
  if (typeof change.url === 'string') checkProviderUrl(change.url, allowHosts);
  return merged;
}

export function providerViews(stored: readonly StoredProvider[]): Record<ExternalProviderName, ProviderView> {
  const view = (name: ExternalProviderName): ProviderView => {
    const p = stored.find((s) => s.provider === name);
    return { enabled: p?.enabled ?? false, clientId: p?.clientId || null, secret: p?.secret ? maskSecret(p.secret) : null, url: p?.url ?? null };
  };
  return { github: view('github'), google: view('google') };
}

/** The providers Auth offers: enabled, with a client id and a secret. */
export function enabledProviders(stored: readonly StoredProvider[]): ExternalProvider[] {
  return stored.filter((p) => p.enabled && p.clientId !== '' && p.secret !== '')
    .map((p) => ({ provider: p.provider, clientId: p.clientId, secret: p.secret, ...(p.url ? { url: p.url } : {}) }));
}

interface Row { provider: ExternalProviderName; enabled: boolean; client_id: string; sealed_secret: string; url: string | null }

export async function listProviders(sql: Sql, key: SecretKey, appId: number): Promise<StoredProvider[]> {
  const rows = await sql<Row[]>`SELECT provider, enabled, client_id, sealed_secret, url FROM backend_oauth_providers WHERE app_id = ${appId} ORDER BY provider`;
  return rows.map((r) => ({
    provider: r.provider, enabled: r.enabled, clientId: r.client_id,
    secret: r.sealed_secret === '' ? '' : openSecret(key, r.sealed_secret), ...(r.url ? { url: r.url } : {}),
  }));
}

/**
 * Applies the changes in one transaction: all of them, or none when one is refused. A new URL is
 * checked as written and by what its host resolves to now.
 */
export async function saveProviders(
  sql: Sql, key: SecretKey, appId: number, changes: ProviderChanges, allowHosts: readonly string[] = [], resolve?: Resolve,
): Promise<void> {
  const stored = await listProviders(sql, key, appId);
  const merged = Object.entries(changes).map(([name, change]) =>
    mergeProvider(name as ExternalProviderName, stored.find((s) => s.provider === name), change!, allowHosts));
  for (const change of Object.values(changes)) {
    if (typeof change?.url === 'string') await checkProviderUrlResolves(change.url, allowHosts, resolve);
  }
  await sql.begin(async (tx) => {
    for (const p of merged) {
      const sealed = p.secret === '' ? '' : sealSecret(key, p.secret);
      await tx`
        INSERT INTO backend_oauth_providers (app_id, provider, enabled, client_id, sealed_secret, url)
        VALUES (${appId}, ${p.provider}, ${p.enabled}, ${p.clientId}, ${sealed}, ${p.url ?? null})
        ON CONFLICT (app_id, provider) DO UPDATE SET enabled = EXCLUDED.enabled, client_id = EXCLUDED.client_id,
          sealed_secret = EXCLUDED.sealed_secret, url = EXCLUDED.url, updated_at = now()`;
    }
  });
}
