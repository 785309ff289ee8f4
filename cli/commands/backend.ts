/**
 * backend, backend:enable, backend:set, backend:disable: the app backend (issues 16 and 17). `devflow backend <app>
 * --json` prints exactly { url, anonKey, serviceRoleKey }, the three values createClient()
 * takes, so scripts can read them without knowing the API's other fields.
 */
import type { BackendView } from '../../backend/index.js';
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
  ].join('\n');
}

/** `backend:set <app> keyless-anon=on` and auth settings such as `autoconfirm=off`. */
export function parseBackendSetting(pairs: string[]): { keylessAnon?: boolean; auth?: Record<string, unknown> } {
  const flag = (name: string, value: string) => {
    if (value === 'on' || value === 'true') return true;
    if (value === 'off' || value === 'false') return false;
    throw new CliError(`${name} takes on or off, not "${value}"`, 'usage');
  };
  const out: { keylessAnon?: boolean; auth?: Record<string, unknown> } = {};
  const auth: Record<string, unknown> = {};
  for (const pair of pairs) {
    const [name, value] = pair.split('=', 2) as [string, string | undefined];
    if (value === undefined) throw new CliError(`write settings as name=value, e.g. keyless-anon=on (got "${pair}")`, 'usage');
    if (name === 'keyless-anon') out.keylessAnon = flag(name, value);
    else if (name === 'autoconfirm') auth.mailerAutoconfirm = flag(name, value);
    else if (name === 'anonymous-sign-ins') auth.allowAnonymousSignIns = flag(name, value);
    else if (name === 'signup') auth.disableSignup = !flag(name, value);
    else if (name === 'site-url') auth.siteUrl = value;
    else if (name === 'jwt-expiry') auth.jwtExpiry = Number(value);
    else throw new CliError(`unknown setting "${name}": use keyless-anon, autoconfirm, anonymous-sign-ins, signup, site-url, jwt-expiry`, 'usage');
  }
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
