/**
 * For tests and the bench: the smallest gateway in front of the auth service, for one project,
 * so @supabase/supabase-js talks to /auth/v1 over real HTTP. It checks the apikey as
 * Supabase's gateway does (a JWT of the project naming anon or service_role, else 401) and
 * builds the RequestContext from the Bearer token when that verifies, else from the apikey.
 * The real gateway (backend/, built beside this) replaces it in production.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { clientAddress } from '../client-address.js';
import type { BackendProject, BackendRole, JwtClaims, RequestContext } from '../contract.js';
import { createAuthService, type AuthServiceOptions } from './service.js';

async function claimsOf(token: string | undefined, secret: string): Promise<JwtClaims | undefined> {
  if (!token) return undefined;
  try {
    return (await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] })).payload as JwtClaims;
  } catch {
    return undefined;
  }
}

const ROLES = new Set<BackendRole>(['anon', 'authenticated', 'service_role']);

/**
 * Paths a browser reaches with no key (a link in a mail, an OAuth redirect); Supabase's gateway
 * serves them keyless too. The real gateway must do the same for these three.
 */
export const OPEN_AUTH_PATHS = ['/auth/v1/verify', '/auth/v1/callback', '/auth/v1/authorize'];

function isOpenPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0] ?? '';
  return OPEN_AUTH_PATHS.includes(path);
}

export interface ServedAuth {
  url: string;
  close(): Promise<void>;
}

/** Serves one project's /auth/v1 on a loopback port; sets the project's URL to it. */
export async function serveAuth(project: BackendProject, options: AuthServiceOptions): Promise<ServedAuth> {
  const service = createAuthService(options);
  const server = http.createServer(async (req, res) => {
    const apikey = req.headers.apikey as string | undefined;
    const keyClaims = (await claimsOf(apikey, project.keys.jwtSecret)) ?? (isOpenPath(req.url) ? { role: 'anon' } : undefined);
    if (!keyClaims || !ROLES.has(keyClaims.role as BackendRole)) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: apikey ? 'Invalid API key' : 'No API key found in request' }));
      return;
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const bearerClaims = await claimsOf(bearer, project.keys.jwtSecret);
    const claims = bearerClaims && ROLES.has(bearerClaims.role as BackendRole) ? bearerClaims : keyClaims;
    // The path form's rule (client-address.ts): a request straight to this port is its socket's peer.
    const address = clientAddress({ peer: req.socket.remoteAddress, local: req.socket.localAddress, forwardedFor: req.headers['x-forwarded-for'], viaRouter: false });
    const ctx: RequestContext = { project, role: claims.role as BackendRole, claims, token: bearer ?? apikey ?? '', clientAddress: address };
    const prefix = `/${service.prefix}`;
    const url = req.url ?? '/';
    if (!url.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    await service.handle(req, res, ctx, url.slice(prefix.length) || '/');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  project.url = url;
  return {
    url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
