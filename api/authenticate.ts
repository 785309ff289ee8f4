/**
 * The API's gate, the one place requests are allowed or refused (issue 19): every /api request
 * needs a credential (`Authorization: Bearer` with an API token or a session's access token, or
 * a ticket in `?ticket=` on GET requests, for EventSource). The needed action is the route's
 * scope (scopes.ts), the target is read from the path (access-target.ts), and the permission
 * table decides (accounts/). Another team's app, deployment or team answers 404 exactly as a
 * missing one would; a role or scope too small inside one's own team answers 403. The caller's
 * `Access` is kept in `res.locals` for routes that filter lists, and each change that succeeds
 * is appended to the audit log.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { accessFromSecret, auditChange, authorize, recordAudit, type Access, type AuditChange, type Target, type Verdict } from '../accounts/index.js';
import type { Sql } from '../core/store/database.js';
import type { TokenGrant } from '../core/store/tokens.js';
import { accessTarget } from './access-target.js';
import { tokenFromRequest } from './auth.js';
import { sendError } from './errors.js';
import { clientIp } from './rate-limit.js';
import { requiredScope } from './scopes.js';
import type { TicketBook } from './tickets.js';

/** Paths under /api/v1 anyone may call: the API's description, and signing up or in. */
export const PUBLIC = new Set(['/openapi.json', '/auth/signup', '/auth/login', '/auth/refresh', '/auth/password-reset', '/auth/password-reset/confirm',
  // Stripe's deliveries: their Stripe-Signature is their authentication (billing/stripe/webhook.ts).
  '/billing/stripe/webhook']);

export function authenticate(sql: Sql, tickets: TicketBook) {
  return (req: Request, res: Response, next: NextFunction) => {
    const path = req.path.startsWith('/v1/') ? req.path.slice('/v1'.length) : req.path;
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    if (PUBLIC.has(path)) return next();
    const ticket = req.method === 'GET' && typeof req.query.ticket === 'string' ? req.query.ticket : undefined;
    const token = tokenFromRequest(req);
    if (!token && !ticket) {
      return sendError(res, 401, 'unauthorized', 'authentication required: send "Authorization: Bearer <token>"');
    }
    const resolve = token ? accessFromSecret(sql, token) : Promise.resolve(tickets.redeem(ticket!));
    resolve.then(async (access) => {
      if (!access) return sendError(res, 401, 'unauthorized', 'the token is not valid or has expired');
      const scope = requiredScope(req.method, path);
      const target = accessTarget(path, req.query as Record<string, unknown>);
      const verdict = await authorize(sql, access, scope, target);
      if (verdict.decision === 'not_found') return sendError(res, 404, 'not_found', notFoundMessage(target));
      if (verdict.decision === 'forbidden') return sendError(res, 403, 'forbidden', forbiddenMessage(access, scope, verdict));
      res.locals.access = access;
      res.locals.grant = { name: access.actor, scopes: access.scopes } satisfies TokenGrant;
      auditWhenDone(sql, req, res, { path, access, verdict, requestId });
      next();
    }).catch(next);
  };
}

export function grantOf(res: Response): TokenGrant {
  return res.locals.grant as TokenGrant;
}

export function accessOf(res: Response): Access {
  return res.locals.access as Access;
}

/** The same words a route uses for a missing resource, so the answer does not tell them apart. */
function notFoundMessage(target: Target): string {
  switch (target.kind) {
    case 'app': return `app "${target.name}" does not exist: create it with \`devflow apps:create ${target.name}\``;
    case 'deployment': return `deployment ${target.id} does not exist`;
    case 'team': return `team "${target.name}" does not exist`;
    default: return 'no such API route; see /api/v1/openapi.json';
  }
}

function forbiddenMessage(access: Access, scope: string, verdict: Verdict): string {
  if (access.teams === 'all' || verdict.role === undefined || verdict.team === undefined) {
    return `this needs a token with the "${scope}" scope; this one has "${access.scopes.join(', ')}"`;
  }
  return `this needs the "${scope}" permission in team "${verdict.team}": your role there is ${verdict.role}, `
    + `this credential's scope is ${access.scopes.join(', ')} (see \`devflow access <app>\`)`;
}

function requestIdOf(req: Request): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
}

/**
 * Appends the audit row of a change that succeeded, before its answer leaves: a client that
 * reads the log right after a change finds it there. Reads are not wrapped.
 */
function auditWhenDone(sql: Sql, req: Request, res: Response, context: { path: string; access: Access; verdict: Verdict; requestId: string }): void {
  const change = auditChange(req.method, context.path, {});
  if (!change) return;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((...args: unknown[]) => {
    if (res.statusCode >= 400) return end(...args);
    const done = auditChange(req.method, context.path, req.body)!;
    const app = context.verdict.app ?? (done.action === 'app.create' ? done.target : null);
    void teamOfRow(sql, context.verdict, done, app)
      .then((team) => recordAudit(sql, {
        actor: context.access.actor, team, app, action: done.action, target: done.target, sourceIp: clientIp(req), requestId: context.requestId,
      }))
      .catch((err: unknown) => console.error('devflow audit: could not record', done.action, err))
      .finally(() => end(...args));
    return res;
  }) as Response['end'];
}

async function teamOfRow(sql: Sql, verdict: Verdict, change: AuditChange, app: string | null): Promise<string | null> {
  if (verdict.team) return verdict.team;
  if (change.action === 'team.create') return change.target;
  if (change.action === 'app.create' && app) {
    const [row] = await sql<{ name: string }[]>`SELECT t.name FROM apps a JOIN teams t ON t.id = a.team_id WHERE a.name = ${app}`;
    return row?.name ?? null;
  }
  return null;
}
