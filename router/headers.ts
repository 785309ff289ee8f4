/**
 * Header rules of the embedded proxy (RFC 9110 §7.6.1 hop-by-hop fields; the de-facto
 * X-Forwarded-* fields). Pure functions, so the rules are tested without sockets.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Fields that describe one connection, not the message: a proxy must not forward them. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Copies headers without hop-by-hop fields, including those the Connection header names. */
export function stripHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== ''),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:@+=\/-]{1,128}$/;

/** Keeps a caller's request id when it is short and printable, so traces join up; else makes one. */
export function chooseRequestId(incoming: string | string[] | undefined): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}

/** `::ffff:127.0.0.1` is how Node reports IPv4 clients on a dual-stack socket. */
export function clientAddress(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return 'unknown';
  return remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
}

export interface ForwardContext {
  clientIp: string;
  proto: 'http' | 'https';
  requestId: string;
}

/**
 * The headers an upstream sees: the client's end-to-end headers, the original Host (apps build
 * absolute URLs from it, as with Traefik's passHostHeader), the client appended to
 * X-Forwarded-For, and X-Forwarded-Proto/Host set by this proxy, which is the edge.
 */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, ctx: ForwardContext): OutgoingHttpHeaders {
  const out = stripHopByHop(incoming);
  const prior = incoming['x-forwarded-for'];
  const chain = Array.isArray(prior) ? prior.join(', ') : prior;
  out['x-forwarded-for'] = chain ? `${chain}, ${ctx.clientIp}` : ctx.clientIp;
  out['x-forwarded-proto'] = ctx.proto;
  if (incoming.host !== undefined) out['x-forwarded-host'] = incoming.host;
  out['x-request-id'] = ctx.requestId;
  // A chunked body lost its Transfer-Encoding above; say so again, or Node would send a
  // body-less GET/DELETE without framing.
  if (incoming['content-length'] === undefined && /chunked/i.test(String(incoming['transfer-encoding'] ?? ''))) {
    out['transfer-encoding'] = 'chunked';
  }
  return out;
}

/** The headers the client sees: the upstream's end-to-end headers and the request id. */
export function clientResponseHeaders(upstream: IncomingHttpHeaders, requestId: string): OutgoingHttpHeaders {
  const out = stripHopByHop(upstream);
  out['x-request-id'] = requestId;
  return out;
}

/** Headers for an Upgrade request: end-to-end ones plus the upgrade pair itself. */
export function upgradeRequestHeaders(incoming: IncomingHttpHeaders, ctx: ForwardContext): OutgoingHttpHeaders {
  const out = upstreamRequestHeaders(incoming, ctx);
  delete out['transfer-encoding'];
  out.connection = 'Upgrade';
  out.upgrade = incoming.upgrade ?? 'websocket';
  return out;
}
