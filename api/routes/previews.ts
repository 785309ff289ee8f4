/** /api/v1/apps/{app}/previews: list, remove, the pull-request webhook secret, config overrides. */
import type express from 'express';
import { InvalidInputError } from '../../core/errors.js';
import { parseAppName, parseConfigKey } from '../../core/names.js';
import { getApp } from '../../core/store/apps.js';
import { getPreviewOverrides, setPreviewOverrides } from '../../core/store/previews.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

export function registerPreviewRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/apps/:app/previews', route(async (req, res) => void res.json(await deps.previews.list(String(req.params.app)))));
  v1.delete('/apps/:app/previews/:slug', route(async (req, res) => {
    await deps.previews.remove(String(req.params.app), String(req.params.slug));
    res.json({ deleted: req.params.slug });
  }));
  v1.get('/apps/:app/previews/webhook', route(async (req, res) => void res.json(await deps.previews.webhook(String(req.params.app), false))));
  v1.post('/apps/:app/previews/webhook', route(async (req, res) => void res.json(await deps.previews.webhook(String(req.params.app), true))));
  v1.get('/apps/:app/previews/config', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    res.json({ vars: await getPreviewOverrides(deps.sql, app.id) });
  }));
  v1.patch('/apps/:app/previews/config', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    res.json({ vars: await setPreviewOverrides(deps.sql, app.id, parseChanges(req.body)) });
  }));
}

function parseChanges(body: unknown): Record<string, string | null> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError('send a JSON object like {"KEY": "value", "OLD": null} (null unsets)');
  }
  const changes: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(body)) {
    if (value !== null && typeof value !== 'string') throw new InvalidInputError(`the value of ${key} must be a string or null`);
    changes[parseConfigKey(key)] = value;
  }
  return changes;
}
