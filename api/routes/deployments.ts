/**
 * Deployments (list, trigger without a push, cancel, get), their logs (whole or followed live) and
 * releases. Lists page with ?limit=&cursor= (see pagination.ts).
 */
import type express from 'express';
import type { Request, Response } from 'express';
import { parseAppName } from '../../core/names.js';
import { getApp } from '../../core/store/apps.js';
import { listDeploymentPhases } from '../../core/store/deployment-phases.js';
import { getDeployment, listDeployments, readDeploymentLog } from '../../core/store/deployments.js';
import { listReleases } from '../../core/store/releases.js';
import type { Deployment, Release } from '../../core/types.js';
import { cancelDeployment, cancelledReason } from '../../scheduler/index.js';
import { grantOf } from '../authenticate.js';
import { parseDeployRequest } from '../deploy-request.js';
import type { ApiDeps } from '../deps.js';
import { parseNumericCursor, parsePage, sendPage } from '../pagination.js';
import { parsePositiveInt, route } from './handler.js';

/** Releases are few per app; paging filters this many newest ones. */
const RELEASES_WINDOW = 1000;

export function registerDeploymentRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/apps/:app/deployments', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    const page = parsePage(req.query);
    const rows = await listDeployments(deps.sql, app.id, page.limit + 1, parseNumericCursor(page.cursor));
    sendPage(req, res, page, rows, (d) => String(d.id), deploymentView);
  }));
  v1.post('/apps/:app/deployments', route(async (req, res) => {
    const app = parseAppName(req.params.app);
    const deployment = await deps.deploy(app, parseDeployRequest(req.body), grantOf(res).name);
    res.status(202).location(`/api/v1/deployments/${deployment.id}`).json(deploymentView(deployment));
  }));
  v1.get('/apps/:app/releases', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    const page = parsePage(req.query);
    const before = parseNumericCursor(page.cursor);
    const releases = (await listReleases(deps.sql, app.id, RELEASES_WINDOW))
      .filter((r) => before === undefined || r.version < before).slice(0, page.limit + 1);
    sendPage(req, res, page, releases, (r) => String(r.version), (r) => releaseView(r, app.currentRelease));
  }));
  v1.post('/apps/:app/deployments/:id/cancel', route(async (req, res) => {
    const id = parsePositiveInt(req.params.id, 'deployment id');
    const deployment = await cancelDeployment(deps, parseAppName(req.params.app), id, cancelledReason(grantOf(res).name));
    // Told but still building (its DevFlow did not answer in time): accepted, not done.
    res.status(deployment.state === 'building' ? 202 : 200).json(deploymentView(deployment));
  }));
  v1.get('/deployments/:id', route(async (req, res) => {
    const id = parsePositiveInt(req.params.id, 'deployment id');
    const deployment = await getDeployment(deps.sql, id);
    res.json({ ...deploymentView(deployment), phases: await listDeploymentPhases(deps.sql, id) });
  }));
  v1.get('/deployments/:id/log', route(async (req, res) => streamLog(deps, parsePositiveInt(req.params.id, 'deployment id'), req, res)));
}

export function deploymentView(d: Deployment) {
  return {
    id: d.id, app: d.app, ref: d.ref, sha: d.sha, trigger: d.trigger, actor: d.actor, state: d.state, reason: d.reason,
    releaseVersion: d.releaseVersion, createdAt: d.createdAt, updatedAt: d.updatedAt,
  };
}

function releaseView(r: Release, currentRelease: number | null) {
  return {
    version: r.version, sha: r.sha, description: r.description, createdAt: r.createdAt,
    current: r.version === currentRelease, artifact: r.artifact.kind === 'image' ? r.artifact.image : 'slug',
    state: r.state, actor: r.actor, rollbackable: !r.artifactRemoved, failureReason: r.failureReason,
  };
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
