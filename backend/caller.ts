/**
 * Who is calling, as Supabase's gateway decides it: the key comes from the `apikey` header (or
 * `?apikey=`), the token from `Authorization: Bearer`, else the key. The token's role becomes
 * the request's database role with its claims (a user's access token → authenticated, the
 * service-role key → service_role, the anon key → anon). Refusals carry the body the client
 * would get from Supabase: Kong's for a missing or wrong key, PostgREST's under /rest/v1 for a
 * bad user token. Under /auth/v1 a bad user token is Auth's to judge (it knows which endpoints
 * need a user), so the request goes on with the key's role and the token as sent.
 */
import type { BackendRole, JwtClaims } from './contract.js';
import type { TokenCheck } from './tokens.js';

export interface Credentials {
  apikey: string | undefined;
  bearer: string | undefined;
}

export type CallerDecision =
  | { ok: true; role: BackendRole; claims: JwtClaims; token: string }
  | { ok: false; status: number; body: Record<string, unknown>; headers?: Record<string, string> };

export function readCredentials(headers: Record<string, string | string[] | undefined>, url: string): Credentials {
  const header = (name: string) => {
    const value = headers[name];
    return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
  };
  const query = url.indexOf('?');
  const fromQuery = query === -1 ? undefined : new URLSearchParams(url.slice(query + 1)).get('apikey') ?? undefined;
  const authorization = header('authorization');
  const bearer = authorization && /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '').trim() : undefined;
  return { apikey: header('apikey') ?? fromQuery, bearer: bearer || undefined };
}

const NO_KEY = { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' };
const BAD_KEY = { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' };

/** The refusal for a token that failed its check, shaped as the service behind `prefix` answers it. */
export function badTokenRefusal(prefix: string, check: Extract<TokenCheck, { ok: false }>): Extract<CallerDecision, { ok: false }> {
  if (prefix === 'rest/v1') {
    const code = check.reason === 'expired' ? 'PGRST303' : 'PGRST301';
    return {
      ok: false, status: 401, body: { code, details: null, hint: null, message: check.message },
      headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${check.message}"` },
    };
  }
  return { ok: false, status: 401, body: { message: 'Invalid JWT' } };
}

/**
 * The decision from the checked credentials. `check(token)` verifies against the project;
 * `keylessAnon` is the project's local-development switch.
 */
export async function decideCaller(
  credentials: Credentials,
  where: { prefix: string; path: string; keylessAnon: boolean },
  check: (token: string) => Promise<TokenCheck>,
): Promise<CallerDecision> {
  const { apikey, bearer } = credentials;
  if (apikey === undefined && bearer === undefined) {
    if (where.keylessAnon) return { ok: true, role: 'anon', claims: { role: 'anon' }, token: '' };
    return { ok: false, status: 401, body: NO_KEY };
  }
  const key = apikey === undefined ? undefined : await check(apikey);
  if (key !== undefined && !key.ok) return { ok: false, status: 401, body: BAD_KEY };
  if (bearer === undefined || bearer === apikey) return fromCheck(key!, apikey!);
  const token = await check(bearer);
  if (token.ok) return fromCheck(token, bearer);
  if (key === undefined) return bearerOnlyRefusal(where.prefix, token);
  // Supabase's gateway hands /auth/v1 requests on with a bad bearer: Auth ignores it where no
  // user is needed (sign-in, refresh) and answers its own `bad_jwt` where one is.
  if (where.prefix === 'auth/v1') return { ok: true, role: key.role, claims: key.claims, token: bearer };
  return badTokenRefusal(where.prefix, token);
}

function fromCheck(check: Extract<TokenCheck, { ok: true }>, token: string): CallerDecision {
  return { ok: true, role: check.role, claims: check.claims, token };
}

/** With no apikey, the bearer token is the key: a bad one is a wrong key, as Kong sees it. */
function bearerOnlyRefusal(prefix: string, check: Extract<TokenCheck, { ok: false }>): CallerDecision {
  return check.reason === 'expired' ? badTokenRefusal(prefix, check) : { ok: false, status: 401, body: BAD_KEY };
}
