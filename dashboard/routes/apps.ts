/** /api/v1/apps: list, create, show, destroy. */
import type express from 'express';
import { appUrl, type Config } from '../../core/config.js';
import { InvalidInputError } from '../../core/errors.js';
import { parseAppName } from '../../core/names.js';
import { getApp, listApps, type AppRecord } from '../../core/store/apps.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

export function registerAppRoutes(v1: express.Router, deps: ApiDeps): void {
  const view = (app: AppRecord) => appView(deps.config, app);
  v1.get('/apps', route(async (_req, res) => void res.json((await listApps(deps.sql)).map(view))));
  v1.post('/apps', route(async (req, res) => {
    const body = req.body as { name?: unknown } | undefined;
    if (typeof body?.name !== 'string') throw new InvalidInputError('send a JSON body like {"name": "my-app"}');
    res.status(201).json(view(await deps.apps.create(body.name)));
  }));
  v1.get('/apps/:app', route(async (req, res) => void res.json(view(await getApp(deps.sql, parseAppName(req.params.app))))));
  v1.delete('/apps/:app', route(async (req, res) => {
    await deps.apps.destroy(String(req.params.app));
    res.json({ deleted: req.params.app });
  }));
}

export function appView(config: Config, app: AppRecord) {
  return {
    name: app.name,
    url: appUrl(config, app.name),
    gitUrl: `http://localhost:${config.port}/${app.name}.git`,
    deployBranch: app.deployBranch,
    currentRelease: app.currentRelease,
    createdAt: app.createdAt,
  };
}
