/**
 * Usage (issue 20, billing/), for a month (?month=YYYY-MM, default this one, UTC):
 *   GET /api/v1/apps/{app}/usage    instance-seconds by size, one-off run and build seconds,
 *                                   requests, egress bytes, database and storage bytes
 *   GET /api/v1/teams/{team}/usage  the same summed over the team's apps, and each app's own
 *   GET /api/v1/apps/{app}/usage/series, /teams/{team}/usage/series   the month per day or
 *                                   hour (?step=day|hour), for the dashboard's chart
 * The gate (authenticate.ts) has already checked the caller's role in the app's or the team's.
 */
import type express from 'express';
import type { Request } from 'express';
import { teamId } from '../../accounts/index.js';
import { appUsage, monthOf, parseMonth, parseUsageStep, teamUsage, usageSeries } from '../../billing/index.js';
import { parseAppName } from '../../core/names.js';
import { getApp } from '../../core/store/apps.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

const monthAsked = (req: Request) => (typeof req.query.month === 'string' ? parseMonth(req.query.month) : monthOf(new Date()));
const stepAsked = (req: Request) => parseUsageStep(typeof req.query.step === 'string' ? req.query.step : undefined);

export function registerUsageRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/apps/:app/usage', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    res.json(await appUsage(deps.sql, app, monthAsked(req)));
  }));
  v1.get('/teams/:team/usage', route(async (req, res) => {
    const name = String(req.params.team);
    res.json(await teamUsage(deps.sql, { id: await teamId(deps.sql, name), name }, monthAsked(req)));
  }));
  v1.get('/apps/:app/usage/series', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    res.json(await usageSeries(deps.sql, { app: app.id }, monthAsked(req), stepAsked(req)));
  }));
  v1.get('/teams/:team/usage/series', route(async (req, res) => {
    res.json(await usageSeries(deps.sql, { team: await teamId(deps.sql, String(req.params.team)) }, monthAsked(req), stepAsked(req)));
  }));
}
