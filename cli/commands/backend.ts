/**
 * backend, backend:enable, backend:set, backend:disable: the app backend (issues 16 and 17). `devflow backend <app>
 * --json` prints exactly { url, anonKey, serviceRoleKey }, the three values createClient()
 * takes, so scripts can read them without knowing the API's other fields.
 */
import type { BackendView, CaughtMailList } from '../../backend/index.js';
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

const path = (app: string) => `/apps/${encodeURIComponent(app)}/backend`;

export function clientSettings(view: BackendView): { url: string; anonKey: string; serviceRoleKey: string } {
  return { url: view.url, anonKey: view.anonKey, serviceRoleKey: view.serviceRoleKey };
}

export function formatBackend(view: BackendView): string {
  return [
    `=== ${view.app} backend (Supabase-compatible)`,
    `URL:              ${view.url}`,
    `Host URL:         ${view.hostUrl}`,
    `Anon key:         ${view.anonKey}`,
    `Service role key: ${view.serviceRoleKey}`,
    `JWKS:             ${view.jwksUrl}`,
    `Keyless as anon:  ${view.keylessAnon ? 'on (local development)' : 'off'}`,
    `Auth:             ${Object.entries(view.auth).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`,
    ...Object.entries(view.external ?? {}).map(([name, p]) => `OAuth ${name}:${' '.repeat(Math.max(1, 11 - name.length))}${formatProvider(p)}`),
  ].join('\n');
}

/** A provider's line; the API only ever sends its secret masked. */
function formatProvider(p: BackendView['external']['github']): string {
  if (p.clientId === null) return 'not configured';
  return `${p.enabled ? 'enabled' : 'disabled'}, client id ${p.clientId}, secret ${p.secret ?? 'none'}${p.url ? `, ${p.url}` : ''}`;
}

/**
 * Supabase's names for a project's OAuth settings (its Management API's `external_github_client_id`,
 * GoTrue's `GOTRUE_EXTERNAL_GITHUB_CLIENT_ID`), either spelling, to the API's `external` field.
 */
const EXTERNAL = /^(?:gotrue_)?external_(github|google)_(enabled|client_id|secret|url)$/i;
const EXTERNAL_FIELDS = { enabled: 'enabled', client_id: 'clientId', secret: 'secret', url: 'url' } as const;

/** `backend:set <app> keyless-anon=on` and auth settings such as `autoconfirm=off`. */
export function parseBackendSetting(pairs: string[]): { keylessAnon?: boolean; auth?: Record<string, unknown>; external?: Record<string, Record<string, unknown>> } {
  const flag = (name: string, value: string) => {
    if (value === 'on' || value === 'true') return true;
    if (value === 'off' || value === 'false') return false;
    throw new CliError(`${name} takes on or off, not "${value}"`, 'usage');
  };
  const out: { keylessAnon?: boolean; auth?: Record<string, unknown>; external?: Record<string, Record<string, unknown>> } = {};
  const auth: Record<string, unknown> = {};
  const external: Record<string, Record<string, unknown>> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const [name, value] = at === -1 ? [pair, undefined] : [pair.slice(0, at), pair.slice(at + 1)];
    if (value === undefined) throw new CliError(`write settings as name=value, e.g. keyless-anon=on (got "${pair}")`, 'usage');
    const provider = EXTERNAL.exec(name);
    if (provider) {
      const field = EXTERNAL_FIELDS[provider[2]!.toLowerCase() as keyof typeof EXTERNAL_FIELDS];
      (external[provider[1]!.toLowerCase()] ??= {})[field] = field === 'enabled' ? flag(name, value) : value;
    } else if (name === 'keyless-anon') out.keylessAnon = flag(name, value);
    else if (name === 'autoconfirm') auth.mailerAutoconfirm = flag(name, value);
    else if (name === 'anonymous-sign-ins') auth.allowAnonymousSignIns = flag(name, value);
    else if (name === 'signup') auth.disableSignup = !flag(name, value);
    else if (name === 'site-url') auth.siteUrl = value;
    else if (name === 'jwt-expiry') auth.jwtExpiry = Number(value);
    else throw new CliError(`unknown setting "${name}": use keyless-anon, autoconfirm, anonymous-sign-ins, signup, site-url, jwt-expiry, external_<github|google>_<enabled|client_id|secret|url>`, 'usage');
  }
  if (Object.keys(external).length > 0) out.external = external;
  return Object.keys(auth).length > 0 ? { ...out, auth } : out;
}

export async function showBackend({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const view = await createClient(process.env).request<BackendView>('GET', path(app));
  print(opts, clientSettings(view), () => formatBackend(view));
}

export async function enableBackend({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const view = await createClient(process.env).request<BackendView & { release: number | null; releaseError: string | null }>('POST', path(app));
  const vars = 'SUPABASE_URL, SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY and SUPABASE_DB_URL';
  const processes = view.releaseError !== null
    ? ` !    The release that gives its processes ${vars} failed: ${view.releaseError}\n !    The previous release is still serving; the next push or config change carries the variables.`
    : view.release === null
      ? `Its processes get ${vars} from its first deploy.`
      : `Released v${view.release}: its processes now have ${vars}.`;
  print(opts, clientSettings(view), () => [`Backend enabled for ${app}: ${view.url}`, processes, `Keys: devflow backend ${app}`].join('\n'));
}

export async function setBackend({ app, args: settings }: CommandInput): Promise<void> {
  const view = await createClient(process.env).request<BackendView>('PATCH', path(app), parseBackendSetting(settings));
  console.log(formatBackend(view));
}

/** `backend:disable <app>`: what stops and what is kept, and the release that took the variables away. */
export async function disableBackend({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const result = await createClient(process.env).request<{ app: string; enabled: boolean; release: number | null; releaseError: string | null }>('DELETE', path(app));
  const processes = result.releaseError !== null
    ? ` !    The release that takes SUPABASE_ variables from its processes failed: ${result.releaseError}`
    : result.release === null ? undefined : `Released v${result.release}: its processes no longer have the SUPABASE_ variables.`;
  print(opts, result, () => [
    `Backend disabled for ${app}: its API answers 404, Realtime sockets are closed and replication slots dropped.`,
    ...(processes ? [processes] : []),
    `Its database, users, files, functions and keys are kept: \`devflow backend:enable ${app}\` turns it on again.`,
  ].join('\n'));
}

/** Each mail with its text body, where the links and codes are. */
export function formatMail(list: CaughtMailList): string {
  if (list.delivery === 'smtp') return `${list.app}'s mails go to DEVFLOW_SMTP_URL; DevFlow keeps none of them.`;
  if (list.mails.length === 0) return `No mails for ${list.app} yet: sign-ups with confirmation on, magic links and recoveries appear here.`;
  return list.mails.map((m) => [
    `=== ${m.receivedAt}  to ${m.recipients.join(', ')}`,
    `Subject: ${m.subject}`,
    '',
    m.text.trim(),
  ].join('\n')).join('\n\n');
}

export async function showMail({ app, opts }: CommandInput<OutputOptions & { limit?: string }>): Promise<void> {
  const limit = opts.limit ?? '20';
  const list = await createClient(process.env).request<CaughtMailList>('GET', `${path(app)}/mail?limit=${encodeURIComponent(limit)}`);
  print(opts, list, () => formatMail(list));
}
