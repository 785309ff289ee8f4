/** /api/v1/apps: list (paged, with each app's status; the caller's teams' apps only), create (in a team), show, destroy. */
import type express from 'express';
import { moveAppToTeam, teamForNewApp, visibleTeams } from '../../accounts/index.js';
import { assertMayCreateApp } from '../../billing/index.js';
import { appUrl, type Config } from '../../core/config.js';
import { InvalidInputError } from '../../core/errors.js';
import { parseAppName } from '../../core/names.js';
import { pageAppSummaries } from '../../core/store/app-summaries.js';
import { getApp, type AppRecord } from '../../core/store/apps.js';
import type { DeploymentState } from '../../core/types.js';
import { accessOf } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import { parsePage, sendPage } from '../pagination.js';
import { route } from './handler.js';

export function registerAppRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/apps', route(async (req, res) => {
    const page = parsePage(req.query, 100);
    const access = accessOf(res);
    const teams = visibleTeams(access);
    const rows = await pageAppSummaries(deps.sql, {
      limit: page.limit + 1, after: page.cursor, teams: teams === 'all' ? undefined : teams, apps: access.apps,
    });
    sendPage(req, res, page, rows, (a) => a.name, (a) => ({ ...appView(deps.config, a, a.lastDeployment), team: a.team }));
  }));
  v1.post('/apps', route(async (req, res) => {
    const body = req.body as { name?: unknown; team?: unknown } | undefined;
    if (typeof body?.name !== 'string') throw new InvalidInputError('send a JSON body like {"name": "my-app", "team": "acme"}');
    const team = await teamForNewApp(deps.sql, accessOf(res), body.team);
    await assertMayCreateApp(deps.sql, team); // the team's plan (issue 20)
    const app = await deps.apps.create(body.name);
    await moveAppToTeam(deps.sql, app.id, team.id);
    res.status(201).json({ ...appView(deps.config, app), team: team.name });
  }));
  v1.get('/apps/:app', route(async (req, res) => {
    const name = parseAppName(req.params.app);
    const [app] = await pageAppSummaries(deps.sql, { limit: 1, only: name });
    // getApp throws the not-found error with its hint.
    if (!app) await getApp(deps.sql, name);
    res.json({ ...appView(deps.config, app!, app!.lastDeployment), team: app!.team });
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
