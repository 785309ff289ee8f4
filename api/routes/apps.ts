/** /api/v1/apps: list (paged, with each app's status), create, show, destroy. */
import type express from 'express';
import { appUrl, type Config } from '../../core/config.js';
import { InvalidInputError } from '../../core/errors.js';
import { parseAppName } from '../../core/names.js';
import { pageAppSummaries } from '../../core/store/app-summaries.js';
import { getApp, type AppRecord } from '../../core/store/apps.js';
import type { DeploymentState } from '../../core/types.js';
import type { ApiDeps } from '../deps.js';
import { parsePage, sendPage } from '../pagination.js';
import { route } from './handler.js';

export function registerAppRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/apps', route(async (req, res) => {
    const page = parsePage(req.query, 100);
    const rows = await pageAppSummaries(deps.sql, { limit: page.limit + 1, after: page.cursor });
    sendPage(req, res, page, rows, (a) => a.name, (a) => appView(deps.config, a, a.lastDeployment));
  }));
  v1.post('/apps', route(async (req, res) => {
    const body = req.body as { name?: unknown } | undefined;
    if (typeof body?.name !== 'string') throw new InvalidInputError('send a JSON body like {"name": "my-app"}');
    res.status(201).json(appView(deps.config, await deps.apps.create(body.name)));
  }));
  v1.get('/apps/:app', route(async (req, res) => {
    const name = parseAppName(req.params.app);
    const [app] = await pageAppSummaries(deps.sql, { limit: 1, only: name });
    // getApp throws the not-found error with its hint.
    if (!app) await getApp(deps.sql, name);
    res.json(appView(deps.config, app!, app!.lastDeployment));
  }));
  v1.delete('/apps/:app', route(async (req, res) => {
    await deps.apps.destroy(String(req.params.app));
    res.json({ deleted: req.params.app });
  }));
}

/** What a user sees at a glance: running (a release serves), deploying, failed, or new. */
export type AppStatus = 'new' | 'deploying' | 'running' | 'failed';

export function appStatus(currentRelease: number | null, last: { state: DeploymentState } | null): AppStatus {
  if (last && ['queued', 'building', 'releasing'].includes(last.state)) return 'deploying';
  if (currentRelease !== null) return 'running';
  return last?.state === 'failed' ? 'failed' : 'new';
}

export function appView(config: Config, app: AppRecord, last: { id: number; state: DeploymentState } | null = null) {
  return {
    name: app.name,
    url: appUrl(config, app.name),
    gitUrl: `http://localhost:${config.port}/${app.name}.git`,
    deployBranch: app.deployBranch,
    currentRelease: app.currentRelease,
    status: appStatus(app.currentRelease, last),
    lastDeployment: last ? { id: last.id, state: last.state } : null,
    createdAt: app.createdAt,
  };
}
