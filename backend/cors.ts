/**
 * CORS as Supabase's gateway answers it (the Fetch standard's CORS protocol): any origin may
 * call a project's API from a browser, since keys and row-level security guard the data, not
 * the origin. Preflights are answered by the gateway itself, before any key check (browsers
 * send no `apikey` on a preflight), with the request's headers allowed back.
 */
export const CORS_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS';
/** Response fields a browser script may read: supabase-js reads Content-Range for counts. */
const EXPOSED = 'Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, Transfer-Encoding, Range-Unit, X-Supabase-Api-Version';
const DEFAULT_ALLOWED = 'authorization, x-client-info, apikey, content-type, accept-profile, content-profile, prefer, range, x-upsert';

export function isPreflight(method: string | undefined, headers: Record<string, string | string[] | undefined>): boolean {
  return method === 'OPTIONS' && headers['access-control-request-method'] !== undefined;
}

/** Fields on every response. With credentials allowed, the origin is echoed rather than `*`. */
export function corsHeaders(origin: string | undefined): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': origin ?? '*',
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': EXPOSED,
    Vary: 'Origin',
  };
}

export function preflightHeaders(origin: string | undefined, requestedHeaders: string | undefined): Record<string, string> {
  return {
    ...corsHeaders(origin),
    'Access-Control-Allow-Methods': CORS_METHODS,
    'Access-Control-Allow-Headers': requestedHeaders ?? DEFAULT_ALLOWED,
    'Access-Control-Max-Age': '3600',
    'Content-Length': '0',
  };
}
