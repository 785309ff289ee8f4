/**
 * Process formation (issue 4):
 *   GET   /apps/{app}/processes         → { "release", "formation": [{ type, replicas, size, memoryMb, cpus }],
 *                                           "instances": [{ id, type, slot, release, state, lastLines? }] }
 *   PATCH /apps/{app}/processes/{type}  { "replicas": n, "size": "standard" } → { type, replicas, size, memoryMb, cpus }
 */
import type express from 'express';
import { assertMayScale } from '../../billing/index.js';
import { parseAppName } from '../../core/names.js';
import { parseScaleRequest } from '../../scheduler/index.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

export function registerPsRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/apps/:app/processes', route(async (req, res) => {
    res.json(await deps.releases.processes(parseAppName(req.params.app)));
  }));
  v1.patch('/apps/:app/processes/:type', route(async (req, res) => {
    const app = parseAppName(req.params.app);
    const request = parseScaleRequest(req.body);
    await assertMayScale(deps.sql, app, String(req.params.type), request); // the team's plan (issue 20)
    res.json(await deps.releases.scale(app, String(req.params.type), request));
  }));
}
