/**
 * An app's telemetry beside its logs (issue 18, telemetry/): the exception groups
 * (`GET /apps/{app}/errors`, most recently seen first, `?since=`, each with a sample trace when a
 * failed request was traced near its last occurrence), alert rules
 * (`GET|POST /apps/{app}/alerts`, `DELETE /apps/{app}/alerts/{id}`; the rules, their state and
 * the notifications sent) and metrics (`GET /apps/{app}/metrics?since=1h&until=`), and the app's
 * own metrics read back (`GET /apps/{app}/metrics/custom`: their names; `…/custom/{name}`: one as
 * series per attribute set).
 */
import type express from 'express';
import { parseAppName } from '../../core/names.js';
import { getApp } from '../../core/store/apps.js';
import { InvalidInputError } from '../../core/errors.js';
import {
  addAlertRule, alertHistory, describeChannel, formatAlertCondition, listAlertRules, listErrorGroups, parseAlertCondition, parseChannel,
  listMetricNames, parseTimeRange, readAppMetrics, readCustomMetric, removeAlertRule, sampleTraceNear, type AlertRule, type ErrorGroup,
} from '../../telemetry/index.js';
import type { ApiDeps } from '../deps.js';
import { parsePositiveInt, route } from './handler.js';

export function registerObservabilityRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/apps/:app/errors', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    const { since } = parseTimeRange(typeof req.query.since === 'string' ? req.query.since : undefined, undefined, new Date());
    const groups = await listErrorGroups(deps.sql, app.id, { since });
    // A span event names its own trace; a stderr stack's sample is the failed request nearest in time.
    res.json(await Promise.all(groups.map(async (g) => ({ ...errorGroupView(g), sampleTraceId: g.sampleTraceId ?? await sampleTraceNear(deps.sql, app.id, g.lastSeen) }))));
  }));
  v1.get('/apps/:app/alerts', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    const history = await alertHistory(deps.sql, app.id);
    res.json({ rules: (await listAlertRules(deps.sql, { appId: app.id })).map(alertRuleView), history });
  }));
  v1.post('/apps/:app/alerts', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    const body = (req.body ?? {}) as { if?: unknown; notify?: unknown };
    if (typeof body.if !== 'string') throw new InvalidInputError('"if" must be the alert condition, e.g. "5xx_rate > 5% for 5m"');
    if (typeof body.notify !== 'string') throw new InvalidInputError('"notify" must be a webhook URL or mailto: address');
    const text = formatAlertCondition(parseAlertCondition(body.if));
    res.status(201).json(alertRuleView(await addAlertRule(deps.sql, app.id, text, parseChannel(body.notify))));
  }));
  v1.delete('/apps/:app/alerts/:id', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    const id = parsePositiveInt(req.params.id, 'alert rule id');
    await removeAlertRule(deps.sql, app.id, id);
    res.json({ removed: id });
  }));
  v1.get('/apps/:app/metrics', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    const now = new Date();
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const range = parseTimeRange(text(req.query.since) ?? '1h', text(req.query.until), now);
    res.json(await readAppMetrics(deps.sql, app.id, range.since!, range.until ?? now));
  }));
  v1.get('/apps/:app/metrics/custom', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    const { since, until } = customRange(req.query);
    res.json({ since, until, metrics: await listMetricNames(deps.sql, app.id, since) });
  }));
  v1.get('/apps/:app/metrics/custom/:name', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    const { since, until } = customRange(req.query);
    res.json(await readCustomMetric(deps.sql, app.id, String(req.params.name), since, until));
  }));
}

/** `?since=` (default 1h) and `?until=` (default now) of the custom metric routes. */
function customRange(query: Record<string, unknown>): { since: Date; until: Date } {
  const now = new Date();
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const range = parseTimeRange(text(query.since) ?? '1h', text(query.until), now);
  return { since: range.since!, until: range.until ?? now };
}

function alertRuleView(r: AlertRule) {
  return { id: r.id, if: r.text, notify: describeChannel(r.channel), status: r.state.status, since: r.state.since, lastValue: r.lastValue, createdAt: r.createdAt };
}

function errorGroupView(g: ErrorGroup) {
  return {
    id: g.id, fingerprint: g.fingerprint, type: g.type, message: g.message, count: g.count,
    firstSeen: g.firstSeen, lastSeen: g.lastSeen, firstRelease: g.firstRelease, lastRelease: g.lastRelease, sampleStack: g.sampleStack,
  };
}
