/**
 * The Supabase Auth API's routes under /auth/v1, as one table: method, path (with `{id}` for
 * the admin API's user id) and handler. `matchRoute` is pure and table-tested.
 */
import type { AuthDeps } from './deps.js';
import * as admin from './handlers/admin.js';
import { otp, recover, resend, verifyGet, verifyPost } from './handlers/email-flows.js';
import { health, jwks, settings } from './handlers/meta.js';
import { authorize, callback } from './handlers/oauth.js';
import { signup } from './handlers/signup.js';
import { token } from './handlers/token.js';
import { getUser, logout, updateUser } from './handlers/user.js';
import type { AuthReply, AuthRequest } from './http.js';

export type Handler = (req: AuthRequest, deps: AuthDeps, id: string) => Promise<AuthReply>;

interface Route {
  method: string;
  path: string;
  handler: Handler;
}

export const ROUTES: Route[] = [
  { method: 'GET', path: '/health', handler: health },
  { method: 'GET', path: '/settings', handler: settings },
  { method: 'GET', path: '/.well-known/jwks.json', handler: jwks },
  { method: 'POST', path: '/signup', handler: signup },
  { method: 'POST', path: '/token', handler: token },
  { method: 'POST', path: '/logout', handler: logout },
  { method: 'GET', path: '/user', handler: getUser },
  { method: 'PUT', path: '/user', handler: updateUser },
  { method: 'POST', path: '/otp', handler: otp },
  { method: 'POST', path: '/magiclink', handler: otp },
  { method: 'POST', path: '/recover', handler: recover },
  { method: 'POST', path: '/resend', handler: resend },
  { method: 'POST', path: '/verify', handler: verifyPost },
  { method: 'GET', path: '/verify', handler: verifyGet },
  { method: 'GET', path: '/authorize', handler: authorize },
  { method: 'GET', path: '/callback', handler: callback },
  { method: 'GET', path: '/admin/users', handler: admin.listUsers },
  { method: 'POST', path: '/admin/users', handler: admin.createUser },
  { method: 'GET', path: '/admin/users/{id}', handler: (req, _deps, id) => admin.getUserById(req, id) },
  { method: 'PUT', path: '/admin/users/{id}', handler: (req, _deps, id) => admin.updateUserById(req, id) },
  { method: 'DELETE', path: '/admin/users/{id}', handler: (req, _deps, id) => admin.deleteUserById(req, id) },
  { method: 'POST', path: '/admin/generate_link', handler: admin.generateLink },
];

export type RouteMatch = { kind: 'found'; handler: Handler; id: string } | { kind: 'wrong-method' } | { kind: 'none' };

function pathMatches(pattern: string, path: string): string | undefined {
  if (!pattern.includes('{id}')) return pattern === path ? '' : undefined;
  const prefix = pattern.slice(0, pattern.indexOf('{id}'));
  if (!path.startsWith(prefix)) return undefined;
  const id = path.slice(prefix.length);
  return id !== '' && !id.includes('/') ? decodeURIComponent(id) : undefined;
}

export function matchRoute(routes: Route[], method: string, rawPath: string): RouteMatch {
  const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
  let pathKnown = false;
  for (const route of routes) {
    const id = pathMatches(route.path, path);
    if (id === undefined) continue;
    if (route.method === method) return { kind: 'found', handler: route.handler, id };
    pathKnown = true;
  }
  return pathKnown ? { kind: 'wrong-method' } : { kind: 'none' };
}
