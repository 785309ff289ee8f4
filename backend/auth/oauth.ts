/**
 * OAuth 2.0 sign-in with GitHub and Google (authorization code grant, RFC 6749 section 4.1), as
 * Supabase Auth's external providers: the project configures a client id and secret, the
 * browser goes to the provider, comes back to `/auth/v1/callback` with a code, and the
 * provider's user becomes an identity (provider, provider id) of a user. The pure parts (the
 * authorize URL, reading each provider's profile into identity data) are table-tested; the
 * network calls take their endpoints from the config so a test can point them at a stand-in.
 */
import { ALLOW_HOSTS_HINT, hostRefusal, privateResolution, type Resolve } from '../../core/outbound-hosts.js';
import type { ExternalProvider } from '../contract.js';

export type OAuthProviderName = 'github' | 'google';

export interface ProviderEndpoints {
  authorize: string;
  token: string;
  userinfo: string;
  /** GitHub lists a user's addresses (and which are verified) separately. */
  emails?: string;
}

export interface OAuthProviderConfig {
  provider: OAuthProviderName;
  clientId: string;
  clientSecret: string;
  /** Replaces the provider's public endpoints: a GitHub Enterprise Server's, or a test's stand-in. */
  endpoints?: ProviderEndpoints;
  /**
   * Set when the endpoints come from a project's URL: before each call, the host and what it
   * resolves to are checked (core/outbound-hosts.ts), the hosts listed here
   * (DEVFLOW_GIT_ALLOW_HOSTS) excepted, since the name may point elsewhere since it was saved.
   */
  allowHosts?: readonly string[];
  /** How host names are resolved for that check; the system resolver by default. */
  resolve?: Resolve;
}

export const PROVIDER_ENDPOINTS: Record<OAuthProviderName, ProviderEndpoints> = {
  github: {
    authorize: 'https://github.com/login/oauth/authorize',
    token: 'https://github.com/login/oauth/access_token',
    userinfo: 'https://api.github.com/user',
    emails: 'https://api.github.com/user/emails',
  },
  google: {
    authorize: 'https://accounts.google.com/o/oauth2/v2/auth',
    token: 'https://oauth2.googleapis.com/token',
    userinfo: 'https://openidconnect.googleapis.com/v1/userinfo',
  },
};

const DEFAULT_SCOPES: Record<OAuthProviderName, string> = { github: 'user:email', google: 'openid email profile' };
const ISSUERS: Record<OAuthProviderName, string> = { github: 'https://api.github.com', google: 'https://accounts.google.com' };

export function isProviderName(value: unknown): value is OAuthProviderName {
  return value === 'github' || value === 'google';
}

/**
 * A project's provider as Auth uses it. GitHub with a URL is a GitHub Enterprise Server: its
 * sign-in pages under the URL, its REST API under `/api/v3` (GoTrue's GOTRUE_EXTERNAL_GITHUB_URL).
 */
export function providerConfig(p: ExternalProvider, allowHosts: readonly string[] = []): OAuthProviderConfig {
  const config: OAuthProviderConfig = { provider: p.provider, clientId: p.clientId, clientSecret: p.secret };
  if (p.provider !== 'github' || p.url === undefined) return config;
  const base = p.url.replace(/\/+$/, '');
  return {
    ...config,
    allowHosts,
    endpoints: {
      authorize: `${base}/login/oauth/authorize`, token: `${base}/login/oauth/access_token`,
      userinfo: `${base}/api/v3/user`, emails: `${base}/api/v3/user/emails`,
    },
  };
}

export function endpointsOf(config: OAuthProviderConfig): ProviderEndpoints {
  return config.endpoints ?? PROVIDER_ENDPOINTS[config.provider];
}

export function authorizeUrl(config: OAuthProviderConfig, redirectUri: string, state: string, extraScopes?: string | null): string {
  const url = new URL(endpointsOf(config).authorize);
  const scopes = [DEFAULT_SCOPES[config.provider], ...(extraScopes ? extraScopes.split(/[\s,]+/) : [])].filter(Boolean);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', [...new Set(scopes.join(' ').split(' '))].join(' '));
  url.searchParams.set('state', state);
  if (config.provider === 'google') url.searchParams.set('access_type', 'offline');
  return url.toString();
}

export interface ProviderUser {
  id: string;
  email: string | null;
  emailVerified: boolean;
  name?: string;
  avatarUrl?: string;
  userName?: string;
}

type Json = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export function githubUser(profile: Json, emails: Json[]): ProviderUser {
  const primary = emails.find((e) => e.primary === true && e.verified === true) ?? emails.find((e) => e.verified === true);
  const email = str(primary?.email) ?? str(profile.email) ?? null;
  return {
    id: String(profile.id), email: email?.toLowerCase() ?? null, emailVerified: primary !== undefined,
    name: str(profile.name), avatarUrl: str(profile.avatar_url), userName: str(profile.login),
  };
}

export function googleUser(profile: Json): ProviderUser {
  const email = str(profile.email) ?? null;
  return {
    id: String(profile.sub ?? profile.id), email: email?.toLowerCase() ?? null,
    emailVerified: profile.email_verified === true || profile.verified_email === true,
    name: str(profile.name), avatarUrl: str(profile.picture),
  };
}

/** identity_data and the new user's user_metadata, in Supabase's claim names. */
export function identityData(provider: OAuthProviderName, user: ProviderUser): Json {
  const data: Json = {
    iss: ISSUERS[provider], sub: user.id, provider_id: user.id, email: user.email ?? undefined,
    email_verified: user.emailVerified, phone_verified: false, name: user.name, full_name: user.name,
    avatar_url: user.avatarUrl, picture: user.avatarUrl, user_name: user.userName, preferred_username: user.userName,
  };
  for (const key of Object.keys(data)) if (data[key] === undefined) delete data[key];
  return data;
}

export class OAuthExchangeError extends Error {}

async function fetchJson(config: OAuthProviderConfig, url: string, init: RequestInit): Promise<unknown> {
  if (config.allowHosts !== undefined) {
    // Again as written too: the operator may have taken the host off the list since it was saved.
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const why = hostRefusal(host, config.allowHosts);
    if (why !== undefined) throw new OAuthExchangeError(`${why}: DevFlow does not call it (${ALLOW_HOSTS_HINT})`);
    const bad = await privateResolution(host, config.allowHosts, config.resolve);
    if (bad) throw new OAuthExchangeError(`${host} resolves to ${bad}, a loopback, link-local or private address: DevFlow does not call it (${ALLOW_HOSTS_HINT})`);
  }
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new OAuthExchangeError(`${url} answered ${response.status}`);
  return response.json();
}

export async function exchangeCode(config: OAuthProviderConfig, code: string, redirectUri: string): Promise<string> {
  const form = new URLSearchParams({
    client_id: config.clientId, client_secret: config.clientSecret, code, redirect_uri: redirectUri, grant_type: 'authorization_code',
  });
  const body = (await fetchJson(config, endpointsOf(config).token, {
    method: 'POST', body: form, headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
  })) as Json;
  const accessToken = str(body.access_token);
  if (!accessToken) throw new OAuthExchangeError(`no access token from ${config.provider}: ${str(body.error) ?? 'unknown error'}`);
  return accessToken;
}

export async function fetchProviderUser(config: OAuthProviderConfig, accessToken: string): Promise<ProviderUser> {
  const endpoints = endpointsOf(config);
  const headers = { Authorization: `Bearer ${accessToken}`, Accept: 'application/json', 'User-Agent': 'DevFlow-Auth' };
  const profile = (await fetchJson(config, endpoints.userinfo, { headers })) as Json;
  if (config.provider === 'google') return googleUser(profile);
  const emails = endpoints.emails ? ((await fetchJson(config, endpoints.emails, { headers })) as Json[]) : [];
  return githubUser(profile, Array.isArray(emails) ? emails : []);
}
