/**
 * The REST API, /api/v1. Every route needs a token. Each resource's routes live in their own
 * module under dashboard/routes/ and parse input once at the edge; errors travel as typed
 * errors to `errorHandler`, the only place that picks HTTP statuses.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Sql } from '../core/store/database.js';
import { verifyToken, type Scope } from '../core/store/tokens.js';
import { tokenFromRequest } from './auth.js';
import type { ApiDeps } from './deps.js';
import { errorHandler, sendError } from './errors.js';
import { registerAppRoutes } from './routes/apps.js';
import { registerConfigRoutes } from './routes/config.js';
import { registerDeploymentRoutes } from './routes/deployments.js';
import { registerDomainRoutes } from './routes/domains.js';
import { registerPreviewRoutes } from './routes/previews.js';
import { registerPsRoutes } from './routes/ps.js';

export type { ApiDeps, AppOperations } from './deps.js';

const ROUTE_MODULES: ReadonlyArray<(router: express.Router, deps: ApiDeps) => void> = [
  registerAppRoutes,
  registerDeploymentRoutes,
  registerConfigRoutes,
  registerPsRoutes,
  registerDomainRoutes,
  registerPreviewRoutes,
];

export function createApi(deps: ApiDeps): express.Express {
  const api = express();
  api.disable('x-powered-by');
  api.use('/api', requireToken(deps.sql));
  api.use(express.json({ limit: '1mb' }));
  const v1 = express.Router();
  for (const register of ROUTE_MODULES) register(v1, deps);
  api.use('/api/v1', v1);
  api.use('/api', (_req, res) => sendError(res, 404, 'not_found', 'no such API route; see /api/v1'));
  api.use(errorHandler);
  return api;
}

function requireToken(sql: Sql, scope: Scope = 'admin') {
  return (req: Request, res: Response, next: NextFunction) => {
    const token = tokenFromRequest(req);
    if (!token) return sendError(res, 401, 'unauthorized', 'authentication required: send "Authorization: Bearer <token>"');
    verifyToken(sql, token)
      .then((grant) => {
        if (!grant) return sendError(res, 401, 'unauthorized', 'the token is not valid or has expired');
        if (!grant.scopes.includes(scope) && !grant.scopes.includes('admin')) {
          return sendError(res, 403, 'forbidden', `this token lacks the "${scope}" scope`);
        }
        next();
      })
      .catch(next);
  };
}
