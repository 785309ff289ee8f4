/**
 * The app backend (issue 16, backend/index.ts): GET shows the URL and keys (they are secrets:
 * scopes.ts asks for the deploy scope), POST enables it (and, for an app already running, makes a
 * release so its processes get the backend's variables), PATCH changes its settings, DELETE
 * disables it (issue 17: no longer served, data and keys kept; a release takes the variables
 * away), and /backend/mail lists the Auth mails the embedded catcher kept for the app
 * (confirmation links: scopes.ts asks for the deploy scope, as for the keys). Routes and
 * certificates follow through `domainsChanged`, which refreshes the router's table.
 */
import type express from 'express';
import type { BackendSettingsChange, ProviderChange, ProviderChanges } from '../../backend/index.js';
import { DevflowError, InvalidInputError } from '../../core/errors.js';
import { parseAppName, type AppName } from '../../core/names.js';
import type { ApiDeps } from '../deps.js';
import { grantOf } from '../authenticate.js';
import { route } from './handler.js';

const AUTH_FIELDS: Record<string, 'boolean' | 'string' | 'number'> = {
  mailerAutoconfirm: 'boolean', allowAnonymousSignIns: 'boolean', disableSignup: 'boolean', siteUrl: 'string', jwtExpiry: 'number',
};

/** The body of PATCH, checked field by field: unknown fields are refused, not ignored. */
export function parseBackendSettings(body: unknown): BackendSettingsChange {
  if (typeof body !== 'object' || body === null) throw new InvalidInputError('send a JSON object: {"keylessAnon": true} or {"auth": {...}}');
  const { keylessAnon, auth, external, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new InvalidInputError(`unknown backend setting "${Object.keys(rest)[0]}": use keylessAnon, auth or external`);
  if (keylessAnon !== undefined && typeof keylessAnon !== 'boolean') throw new InvalidInputError('keylessAnon must be true or false');
  const change: BackendSettingsChange = keylessAnon === undefined ? {} : { keylessAnon };
  if (external !== undefined) change.external = parseExternal(external);
  if (auth === undefined) return change;
  if (typeof auth !== 'object' || auth === null) throw new InvalidInputError('auth must be an object of auth settings');
  for (const [name, value] of Object.entries(auth)) {
    const type = AUTH_FIELDS[name];
    if (type === undefined) throw new InvalidInputError(`unknown auth setting "${name}": use ${Object.keys(AUTH_FIELDS).join(', ')}`);
    if (typeof value !== type) throw new InvalidInputError(`auth setting ${name} must be a ${type}`);
  }
  const expiry = (auth as { jwtExpiry?: number }).jwtExpiry;
  if (expiry !== undefined && !(Number.isInteger(expiry) && expiry >= 60)) throw new InvalidInputError('jwtExpiry is in seconds, at least 60');
  return { ...change, auth: auth as BackendSettingsChange['auth'] };
}

const PROVIDER_FIELDS: Record<string, 'boolean' | 'string'> = { enabled: 'boolean', clientId: 'string', secret: 'string', url: 'string' };

/** `external`: { github: { enabled, clientId, secret, url } , google: {...} }, as Supabase Auth's external providers. */
function parseExternal(external: unknown): ProviderChanges {
  if (typeof external !== 'object' || external === null) throw new InvalidInputError('external must be an object such as {"github": {"clientId": "…", "secret": "…"}}');
  const out: ProviderChanges = {};
  for (const [name, change] of Object.entries(external)) {
    if (name !== 'github' && name !== 'google') throw new InvalidInputError(`unknown OAuth provider "${name}": use github or google`);
    if (typeof change !== 'object' || change === null) throw new InvalidInputError(`external.${name} must be an object`);
    for (const [field, value] of Object.entries(change)) {
      const type = PROVIDER_FIELDS[field];
      if (type === undefined) throw new InvalidInputError(`unknown setting external.${name}.${field}: use ${Object.keys(PROVIDER_FIELDS).join(', ')}`);
      if (field === 'url' && value === null) continue;
      if (typeof value !== type) throw new InvalidInputError(`external.${name}.${field} must be a ${type}`);
      if (type === 'string' && field !== 'url' && ((value as string).trim() === '' || (value as string).length > 512)) {
        throw new InvalidInputError(`external.${name}.${field} must be 1 to 512 characters`);
      }
    }
    const url = (change as { url?: string | null }).url;
    if (typeof url === 'string' && url !== '') checkProviderUrl(name, url);
    out[name] = { ...(change as ProviderChange), ...(url === '' ? { url: null } : {}) };
  }
  return out;
}

function checkProviderUrl(name: string, text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidInputError(`external.${name}.url must be a URL such as https://github.example.com`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
    throw new InvalidInputError(`external.${name}.url must be an http(s) URL without credentials, query or fragment`);
  }
}

export function registerBackendRoutes(v1: express.Router, deps: ApiDeps): void {
  const backend = () => {
    if (!deps.backend) throw new DevflowError('runtime_unavailable', 'the app backend is not available on this DevFlow');
    return deps.backend;
  };
  /** A release with the app's new variables; one that fails is reported beside the change, which stands. */
  const releaseAgain = async (app: AppName, reason: string, by: string) => {
    try {
      return { release: await deps.releases.refresh(app, reason, by), releaseError: null };
    } catch (err) {
      if (!(err instanceof DevflowError)) throw err;
      return { release: null, releaseError: err.message };
    }
  };
  v1.get('/apps/:app/backend', route(async (req, res) => {
    res.json(await backend().describe(parseAppName(req.params.app)));
  }));
  v1.post('/apps/:app/backend', route(async (req, res) => {
    const app = parseAppName(req.params.app);
    const { turnedOn, view } = await backend().enable(app);
    if (!turnedOn) return void res.json({ ...view, release: null, releaseError: null });
    await deps.domainsChanged?.();
    // Running processes only see the variables they started with: release again so that
    // SUPABASE_URL and the keys reach them now, not at the next push.
    // The backend is enabled either way; a release that fails health (the app's code may need
    // tables it does not have yet) leaves the previous one serving and is reported, not thrown.
    res.status(201).json({ ...view, ...(await releaseAgain(app, 'Backend enabled', grantOf(res).name)) });
  }));
  v1.delete('/apps/:app/backend', route(async (req, res) => {
    const app = parseAppName(req.params.app);
    const { changed } = await backend().disable(app);
    if (!changed) return void res.json({ app, enabled: false, release: null, releaseError: null });
    await deps.domainsChanged?.();
    // The same the other way: running processes lose the SUPABASE_ variables now.
    res.json({ app, enabled: false, ...(await releaseAgain(app, 'Backend disabled', grantOf(res).name)) });
  }));
  v1.get('/apps/:app/backend/mail', route(async (req, res) => {
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new InvalidInputError('limit must be a whole number from 1 to 500');
    res.json(await backend().mail(parseAppName(req.params.app), limit));
  }));
  v1.patch('/apps/:app/backend', route(async (req, res) => {
    res.json(await backend().update(parseAppName(req.params.app), parseBackendSettings(req.body)));
  }));
}
