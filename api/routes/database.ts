/**
 * GET /api/v1/apps/{app}/config/database: the connection settings of the app's own database
 * (the same DATABASE_URL its processes get). They hold a password, so scopes.ts asks for the
 * deploy scope, as for config vars.
 */
import type express from 'express';
import { DevflowError } from '../../core/errors.js';
import { parseAppName } from '../../core/names.js';
import { getApp } from '../../core/store/apps.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

export function registerDatabaseRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/apps/:app/config/database', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    if (!deps.appDatabases) throw new DevflowError('runtime_unavailable', 'app databases are not enabled on this DevFlow');
    res.json(await deps.appDatabases.settings(app));
  }));
}
