/**
 * GET /api/v1/apps/{app}/usage?month=YYYY-MM (issue 20, billing/): what the app used in a month
 * (default: this one, UTC): instance-seconds by size, one-off run seconds, build seconds.
 */
import type express from 'express';
import { appUsage, monthOf, parseMonth } from '../../billing/index.js';
import { parseAppName } from '../../core/names.js';
import { getApp } from '../../core/store/apps.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

export function registerUsageRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/apps/:app/usage', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    const month = typeof req.query.month === 'string' ? parseMonth(req.query.month) : monthOf(new Date());
    res.json(await appUsage(deps.sql, app, month));
  }));
}
