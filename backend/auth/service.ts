/**
 * The Supabase Auth (GoTrue) API as a BackendService under "auth/v1": reads the request into an
 * AuthRequest, routes it (routes.ts), writes the reply, and renders every error in Supabase's
 * shape for the API version the client asked for (errors.ts).
 *
 * The gateway resolves the project and the apikey. As Supabase's gateway does, it should hand
 * /auth/v1 requests on even when the Bearer token is expired or invalid: this service verifies
 * the Bearer itself where an endpoint needs a user, and answers GoTrue's `bad_jwt` errors.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BackendProject, BackendService, RequestContext } from '../contract.js';
import type { AuthDeps } from './deps.js';
import { API_VERSION_2024, API_VERSION_HEADER, asAuthApiError, authErrors, renderAuthError } from './errors.js';
import { clientIp, readJsonBody, type AuthReply, type AuthRequest } from './http.js';
import type { Mailer } from './mail.js';
import type { OAuthProviderConfig } from './oauth.js';
import { DEFAULT_RATE_LIMITS, RateLimiter, type AuthRateLimits } from './rate-limit.js';
import { matchRoute, ROUTES } from './routes.js';

export interface AuthServiceOptions {
  /** Where auth mails go: the platform's mailer (core/mail/platform.ts). */
  mailer: Mailer;
  /** The From of auth mails. */
  mailFrom?: string;
  rateLimits?: Partial<AuthRateLimits>;
  /** The OAuth providers a project has configured; none when omitted. */
  providers?: (project: BackendProject) => Promise<OAuthProviderConfig[]> | OAuthProviderConfig[];
  /** The project's public signing keys (JWKs) for /.well-known/jwks.json; an empty set when omitted. */
  jwks?: (project: BackendProject) => Promise<unknown[]> | unknown[];
  /** Called with failures that are ours (500s), for the platform's log. */
  onError?: (error: unknown) => void;
}

export function createAuthService(options: AuthServiceOptions): BackendService {
  const deps: AuthDeps = {
    mailer: options.mailer,
    mailFrom: options.mailFrom ?? 'DevFlow Auth <noreply@devflow.localhost>',
    limiter: new RateLimiter(),
    limits: { ...DEFAULT_RATE_LIMITS, ...options.rateLimits },
    providers: async (project) => (options.providers ? options.providers(project) : []),
    jwks: async (project) => (options.jwks ? options.jwks(project) : []),
  };
  return {
    prefix: 'auth/v1',
    keyless: (method, path) => method === 'GET' && OPEN_PATHS.has(path.split('?')[0] ?? ''),
    async handle(req, res, ctx, path) {
      const apiVersion = headerOf(req, API_VERSION_HEADER);
      try {
        writeReply(res, await route(req, ctx, path, deps), apiVersion);
      } catch (error) {
        const authError = asAuthApiError(error);
        if (authError.status >= 500) options.onError?.(error);
        const rendered = renderAuthError(authError, apiVersion);
        writeJson(res, rendered.status, rendered.body, rendered.headers);
      }
    },
  };
}

/** A mail's link (verify), an OAuth redirect and its return (authorize, callback). */
const OPEN_PATHS = new Set(['/verify', '/callback', '/authorize']);

async function route(req: IncomingMessage, ctx: RequestContext, path: string, deps: AuthDeps): Promise<AuthReply> {
  const url = new URL(path, 'http://auth.invalid');
  const method = req.method ?? 'GET';
  const match = matchRoute(ROUTES, method, url.pathname);
  if (match.kind === 'none') throw authErrors.notFound();
  if (match.kind === 'wrong-method') throw authErrors.methodNotAllowed();
  const authRequest: AuthRequest = {
    method, path: url.pathname, query: url.searchParams, body: await readJsonBody(req), headers: req.headers, ip: clientIp(req, ctx), ctx,
  };
  return match.handler(authRequest, deps, match.id);
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function writeReply(res: ServerResponse, reply: AuthReply, apiVersion: string | undefined): void {
  const versionHeader: Record<string, string> = apiVersion ? { 'X-Supabase-Api-Version': API_VERSION_2024 } : {};
  switch (reply.kind) {
    case 'json':
      writeJson(res, reply.status, reply.body, { ...versionHeader, ...reply.headers });
      return;
    case 'empty':
      res.writeHead(204, versionHeader).end();
      return;
    case 'redirect':
      res.writeHead(303, { Location: reply.location }).end();
      return;
    default: {
      const never: never = reply;
      throw new Error(`unknown reply ${JSON.stringify(never)}`);
    }
  }
}

function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers }).end(text);
}
