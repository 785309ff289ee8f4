/**
 * The API's gate: every /api request needs a token (`Authorization: Bearer`, or a ticket in
 * `?ticket=` on GET requests, for EventSource) whose scope covers the route (scopes.ts). The
 * grant is kept in `res.locals` for the routes that need to know who asks.
 */
import type { NextFunction, Request, Response } from 'express';
import { allows, verifyAndTouch } from '../core/store/api-tokens.js';
import type { Sql } from '../core/store/database.js';
import type { TokenGrant } from '../core/store/tokens.js';
import { tokenFromRequest } from './auth.js';
import { sendError } from './errors.js';
import { requiredScope } from './scopes.js';
import type { TicketBook } from './tickets.js';

/** Paths under /api/v1 anyone may read: the API's own description. */
const PUBLIC = new Set(['/openapi.json']);

export function authenticate(sql: Sql, tickets: TicketBook) {
  return (req: Request, res: Response, next: NextFunction) => {
    const path = req.path.startsWith('/v1/') ? req.path.slice('/v1'.length) : req.path;
    if (PUBLIC.has(path)) return next();
    const ticket = req.method === 'GET' && typeof req.query.ticket === 'string' ? req.query.ticket : undefined;
    const token = tokenFromRequest(req);
    if (!token && !ticket) {
      return sendError(res, 401, 'unauthorized', 'authentication required: send "Authorization: Bearer <token>"');
    }
    const verify = token ? verifyAndTouch(sql, token) : Promise.resolve(tickets.redeem(ticket!));
    verify.then((grant) => {
      if (!grant) return sendError(res, 401, 'unauthorized', 'the token is not valid or has expired');
      const scope = requiredScope(req.method, path);
      if (!allows(grant, scope)) {
        return sendError(res, 403, 'forbidden', `this needs a token with the "${scope}" scope; this one has "${grant.scopes.join(', ')}"`);
      }
      res.locals.grant = grant;
      next();
    }).catch(next);
  };
}

export function grantOf(res: Response): TokenGrant {
  return res.locals.grant as TokenGrant;
}
