/** Deployments, their logs (whole or followed live) and releases. */
import type express from 'express';
import type { Request, Response } from 'express';
import { parseAppName } from '../../core/names.js';
import { getApp } from '../../core/store/apps.js';
import { getDeployment, listDeployments, readDeploymentLog } from '../../core/store/deployments.js';
import { listReleases } from '../../core/store/releases.js';
import type { ApiDeps } from '../deps.js';
import { parsePositiveInt, route } from './handler.js';

export function registerDeploymentRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/apps/:app/deployments', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    res.json(await listDeployments(deps.sql, app.id));
  }));
  v1.get('/apps/:app/releases', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    const releases = await listReleases(deps.sql, app.id);
    res.json(releases.map((r) => ({
      version: r.version, sha: r.sha, description: r.description, createdAt: r.createdAt,
      current: r.version === app.currentRelease, artifact: r.artifact.kind === 'image' ? r.artifact.image : 'slug',
    })));
  }));
  v1.get('/deployments/:id', route(async (req, res) => {
    res.json(await getDeployment(deps.sql, parsePositiveInt(req.params.id, 'deployment id')));
  }));
  v1.get('/deployments/:id/log', route(async (req, res) => streamLog(deps, parsePositiveInt(req.params.id, 'deployment id'), req, res)));
}

async function streamLog(deps: ApiDeps, id: number, req: Request, res: Response): Promise<void> {
  await getDeployment(deps.sql, id);
  res.type('text/plain; charset=utf-8');
  if (req.query.follow !== 'true' && req.query.follow !== '1') {
    const rows = await readDeploymentLog(deps.sql, id);
    res.end(rows.map((r) => `${r.line}\n`).join(''));
    return;
  }
  // Following replays the stored lines, then keeps the response open until the deployment ends.
  res.flushHeaders();
  await deps.followDeployment(id, { line: (text) => void res.write(`${text}\n`) });
  res.end();
}
