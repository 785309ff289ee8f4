/**
 * For tests and the benchmark: a small HTTP server standing in for the gateway, for one
 * project. It takes the key from `apikey` or `Authorization: Bearer`, verifies it (HS256,
 * the project's secret), takes the role from its `role` claim, and hands `/rest/v1/...` to the
 * service, so @supabase/supabase-js can be pointed at it unchanged.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import type { BackendProject, BackendRole, BackendService, JwtClaims, RequestContext } from '../contract.js';
import { createRestService } from './service.js';

const ROLES = new Set(['anon', 'authenticated', 'service_role']);

export interface RestTestServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Verified tokens, until they expire: an API key is the same on every request, and verifying
 * it each time (WebCrypto, on libuv's thread pool) would dominate what the benchmark measures.
 */
const verified = new Map<string, RequestContext>();

async function contextOf(project: BackendProject, req: IncomingMessage): Promise<RequestContext | null> {
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const token = bearer ?? (req.headers.apikey as string | undefined);
  if (!token) return null;
  const known = verified.get(token);
  if (known && known.project === project && (known.claims.exp ?? Infinity) > Date.now() / 1000) return known;
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(project.keys.jwtSecret), { algorithms: ['HS256'] });
    const claims = payload as JwtClaims;
    if (!ROLES.has(claims.role)) return null;
    const ctx: RequestContext = { project, role: claims.role as BackendRole, claims, token };
    if (verified.size > 1000) verified.clear();
    verified.set(token, ctx);
    return ctx;
  } catch {
    return null;
  }
}

function unauthorized(res: ServerResponse): void {
  res.writeHead(401, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ message: 'Invalid API key' }));
}

export async function startRestTestServer(project: BackendProject, service: BackendService = createRestService()): Promise<RestTestServer> {
  const prefix = `/${service.prefix}`;
  const server = createServer((req, res) => {
    void (async () => {
      const url = req.url ?? '/';
      if (!url.startsWith(`${prefix}/`)) {
        res.writeHead(404).end();
        return;
      }
      const ctx = await contextOf(project, req);
      if (!ctx) return unauthorized(res);
      await service.handle(req, res, ctx, url.slice(prefix.length));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
