/**
 * The gateway: every request to a project's backend enters here, by host or path
 * (urls.ts). It answers CORS preflights, serves the project's JWKS, decides the caller's role
 * from its key or token (caller.ts) and hands the request to the service under the path's
 * prefix with a RequestContext (contract.ts). Services never see a request that failed here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { BlockList } from 'node:net';
import { decideCaller, readCredentials } from './caller.js';
import { clientAddress } from './client-address.js';
import type { BackendService, RequestContext, UpgradeContext } from './contract.js';
import { corsHeaders, isPreflight, preflightHeaders } from './cors.js';
import type { ProjectRegistry } from './projects.js';
import { routeToService } from './services.js';
import { jwks } from './signing-key.js';
import type { BackendTarget } from './urls.js';
import { refuseUpgrade } from './upgrade.js';

const JWKS_PATH = /^\/auth\/v1\/\.well-known\/jwks\.json(\?|$)/;

export interface GatewayDeps {
  projects: ProjectRegistry;
  services: BackendService[];
  log: (line: string) => void;
  /** DEVFLOW_TRUSTED_PROXIES (client-address.ts); DevFlow's own router is trusted without it. */
  trustedProxies?: BlockList;
}

function addressOf(deps: GatewayDeps, req: IncomingMessage, target: BackendTarget): string {
  return clientAddress({
    peer: req.socket.remoteAddress, local: req.socket.localAddress, forwardedFor: req.headers['x-forwarded-for'],
    viaRouter: target.form === 'host', trusted: deps.trustedProxies,
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Kong's answer when nothing is mounted at a path; Supabase clients show its message. */
const NO_ROUTE = { message: 'no Route matched with those values' };

export async function handleGatewayRequest(deps: GatewayDeps, req: IncomingMessage, res: ServerResponse, target: BackendTarget): Promise<void> {
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  if (isPreflight(req.method, req.headers)) {
    const requested = req.headers['access-control-request-headers'];
    res.writeHead(200, preflightHeaders(origin, Array.isArray(requested) ? requested.join(', ') : requested));
    res.end();
    return;
  }
  for (const [name, value] of Object.entries(corsHeaders(origin))) res.setHeader(name, value);
  try {
    await serve(deps, req, res, target);
  } catch (err) {
    deps.log(`backend ${target.project}: ${req.method} ${target.path.split('?')[0]} failed: ${String(err)}`);
    if (!res.headersSent) sendJson(res, 500, { message: 'An unexpected error occurred in the backend gateway' });
    else res.destroy();
  }
}

async function serve(deps: GatewayDeps, req: IncomingMessage, res: ServerResponse, target: BackendTarget): Promise<void> {
  const loaded = await deps.projects.get(target.project);
  if (!loaded) return sendJson(res, 404, { message: `no backend project "${target.project}": enable it with \`devflow backend:enable <app>\`` });
  if (req.method === 'GET' && JWKS_PATH.test(target.path)) {
    return sendJson(res, 200, jwks([loaded.project.keys.signingKey]), { 'Cache-Control': 'public, max-age=600' });
  }
  const routed = routeToService(deps.services, target.path);
  if (!routed) return sendJson(res, 404, NO_ROUTE);
  const decision = await decideCaller(
    readCredentials(req.headers, target.path),
    {
      prefix: routed.service.prefix, path: routed.rest,
      keylessAnon: loaded.keylessAnon || (routed.service.keyless?.(req.method ?? 'GET', routed.rest) ?? false),
    },
    (token) => loaded.verifier.check(token),
  );
  const admitted = decision.ok || (await routed.service.unchecked?.(loaded.project, req.method ?? 'GET', routed.rest));
  if (!decision.ok && !admitted) return sendJson(res, decision.status, decision.body, decision.headers);
  const ctx: RequestContext = decision.ok
    ? { project: loaded.project, role: decision.role, claims: decision.claims, token: decision.token }
    : { project: loaded.project, role: 'anon', claims: { role: 'anon' }, token: '' };
  ctx.clientAddress = addressOf(deps, req, target);
  await routed.service.handle(req, res, ctx, routed.rest);
}

/**
 * A WebSocket upgrade (RFC 6455 handshake) to a project: the same project, route and key checks
 * as a request, answered on the raw socket when refused (no ServerResponse exists for it).
 */
export async function handleGatewayUpgrade(deps: GatewayDeps, req: IncomingMessage, socket: Duplex, head: Buffer, target: BackendTarget): Promise<void> {
  try {
    const loaded = await deps.projects.get(target.project);
    if (!loaded) return refuseUpgrade(socket, 404, { message: `no backend project "${target.project}"` });
    const routed = routeToService(deps.services, target.path);
    if (!routed?.service.upgrade) return refuseUpgrade(socket, 404, NO_ROUTE);
    const decision = await decideCaller(
      readCredentials(req.headers, target.path),
      { prefix: routed.service.prefix, path: routed.rest, keylessAnon: loaded.keylessAnon },
      (token) => loaded.verifier.check(token),
    );
    if (!decision.ok) return refuseUpgrade(socket, decision.status, decision.body);
    const ctx: UpgradeContext = {
      project: loaded.project, role: decision.role, claims: decision.claims, token: decision.token,
      clientAddress: addressOf(deps, req, target),
      checkToken: (token) => loaded.verifier.check(token),
      currentProject: async () => (await deps.projects.get(target.project))?.project,
    };
    routed.service.upgrade(req, socket, head, ctx, routed.rest);
  } catch (err) {
    deps.log(`backend ${target.project}: upgrade ${target.path.split('?')[0]} failed: ${String(err)}`);
    refuseUpgrade(socket, 500, { message: 'An unexpected error occurred in the backend gateway' });
  }
}
