/**
 * An app's telemetry beside its logs (issue 18, telemetry/): GET /api/v1/apps/{app}/errors, the
 * exception groups (most recently seen first, `?since=` 24h or an ISO time).
 */
import type express from 'express';
import { parseAppName } from '../../core/names.js';
import { getApp } from '../../core/store/apps.js';
import { listErrorGroups, parseTimeRange, type ErrorGroup } from '../../telemetry/index.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

export function registerTelemetryRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/apps/:app/errors', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    const { since } = parseTimeRange(typeof req.query.since === 'string' ? req.query.since : undefined, undefined, new Date());
    res.json((await listErrorGroups(deps.sql, app.id, { since })).map(errorGroupView));
  }));
}

function errorGroupView(g: ErrorGroup) {
  return {
    id: g.id, fingerprint: g.fingerprint, type: g.type, message: g.message, count: g.count,
    firstSeen: g.firstSeen, lastSeen: g.lastSeen, firstRelease: g.firstRelease, lastRelease: g.lastRelease, sampleStack: g.sampleStack,
  };
}
