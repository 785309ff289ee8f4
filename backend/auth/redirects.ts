/**
 * Where Supabase Auth may send a browser after a link or an OAuth sign-in: the `redirect_to` a
 * client asked for when it is on the project's site URL, the project's own URL or a loopback
 * address (local development); anything else falls back to the site URL, so a link in a mail
 * cannot be turned into an open redirect that carries tokens to a stranger.
 */

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function allowedRedirect(requested: string | null | undefined, siteUrl: string, projectUrl: string): string {
  const wanted = requested ? parse(requested) : undefined;
  if (!wanted || (wanted.protocol !== 'http:' && wanted.protocol !== 'https:')) return siteUrl;
  const trusted = [parse(siteUrl)?.origin, parse(projectUrl)?.origin];
  if (trusted.includes(wanted.origin) || LOOPBACK.has(wanted.hostname) || wanted.hostname.endsWith('.localhost')) return wanted.toString();
  return siteUrl;
}

/** Adds parameters to a URL's fragment (implicit flow tokens) or query (PKCE code, errors). */
export function withParams(url: string, params: Record<string, string>, where: 'fragment' | 'query'): string {
  const target = new URL(url);
  if (where === 'query') {
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    return target.toString();
  }
  target.hash = new URLSearchParams(params).toString();
  return target.toString();
}
