/**
 * The REST API, /api/v1, and the dashboard that uses it (served at /, same origin). Every API
 * route needs a token whose scope covers it (authenticate.ts, scopes.ts); `/projects/…` is an
 * alias of `/apps/…`, the name the PRD uses. Each resource's routes live in their own
 * module under api/routes/ and parse input once at the edge; errors travel as typed
 * errors to `errorHandler`, the only place that picks HTTP statuses.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { authenticate } from './authenticate.js';
import type { ApiDeps } from './deps.js';
import { openApiDocument } from './openapi.js';
import { dashboardAssets } from './static.js';
import { TicketBook } from './tickets.js';
import { errorHandler, sendError } from './errors.js';
import { registerAppRoutes } from './routes/apps.js';
import { registerBackendRoutes } from './routes/backend.js';
import { registerTelemetryRoutes } from './routes/telemetry.js';
import { registerConfigRoutes } from './routes/config.js';
import { registerDatabaseRoutes } from './routes/database.js';
import { registerDeploymentRoutes } from './routes/deployments.js';
import { registerDomainRoutes } from './routes/domains.js';
import { registerFunctionRoutes } from './routes/functions.js';
import { registerEventRoutes } from './routes/events.js';
import { registerLogRoutes } from './routes/logs.js';
import { registerPreviewRoutes } from './routes/previews.js';
import { registerGitRoutes } from './routes/git.js';
import { registerPsRoutes } from './routes/ps.js';
import { registerStudioRoutes } from './routes/studio.js';
import { registerTokenRoutes } from './routes/tokens.js';
import { registerUsageRoutes } from './routes/usage.js';
import { registerPlanRoutes } from './routes/plans.js';
import { registerObservabilityRoutes } from './routes/observability.js';
import { registerAddonRoutes } from './routes/addons.js';
import { registerRunRoutes } from './routes/runs.js';
import { registerBackupRoutes } from './routes/backups.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerTeamRoutes } from './routes/teams.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerPitrRoutes } from './routes/pitr.js';
import { registerStripeRoutes } from './routes/stripe.js';
import { registerBillingRoutes } from './routes/billing.js';
import { keepWebhookBody } from './raw-body.js';

export type { ApiDeps, AppOperations } from './deps.js';

const ROUTE_MODULES: ReadonlyArray<(router: express.Router, deps: ApiDeps) => void> = [
  registerAppRoutes,
  registerDeploymentRoutes,
  registerConfigRoutes,
  registerDatabaseRoutes,
  registerPsRoutes,
  registerDomainRoutes,
  registerPreviewRoutes,
  registerLogRoutes,
  registerTokenRoutes,
  registerBackendRoutes,
  registerStudioRoutes,
  registerUsageRoutes,
  registerFunctionRoutes,
  registerTelemetryRoutes,
  registerGitRoutes,
  registerObservabilityRoutes,
  registerAddonRoutes,
  registerRunRoutes,
  registerBackupRoutes,
  registerAuthRoutes,
  registerTeamRoutes,
  registerAuditRoutes,
  registerPlanRoutes,
  registerPitrRoutes,
  registerStripeRoutes,
  registerBillingRoutes,
];

export function createApi(deps: ApiDeps): express.Express {
  const api = express();
  api.disable('x-powered-by');
  const tickets = new TicketBook();
  api.use('/api', authenticate(deps.sql, tickets));
  api.use(express.json({ limit: '1mb', verify: keepWebhookBody }));
  const v1 = express.Router();
  v1.use(aliasProjects);
  registerApiRoutes(v1, deps, tickets);
  api.use('/api/v1', v1);
  api.use('/api', (_req, res) => sendError(res, 404, 'not_found', 'no such API route; see /api/v1/openapi.json'));
  api.use(dashboardAssets());
  api.use(errorHandler);
  return api;
}

/** Every /api/v1 route; exported so a test can compare them with the OpenAPI document. */
export function registerApiRoutes(v1: express.Router, deps: ApiDeps, tickets: TicketBook): void {
  v1.get('/openapi.json', (_req, res) => void res.json(openApiDocument()));
  for (const register of ROUTE_MODULES) register(v1, deps);
  registerEventRoutes(v1, deps, tickets);
}

/** `/projects/{id}/…` (the PRD's name) is served by the `/apps/{app}/…` routes. */
function aliasProjects(req: Request, _res: Response, next: NextFunction): void {
  if (req.url === '/projects' || req.url.startsWith('/projects/') || req.url.startsWith('/projects?')) {
    req.url = `/apps${req.url.slice('/projects'.length)}`;
  }
  next();
}
