/**
 * Config vars and rollback (issue 4):
 *   GET   /apps/{app}/config    → { "vars": { "K": "v" } }
 *   PATCH /apps/{app}/config    { "K": "v", "OLD": null }  → { "release": N | null, "vars": {…} }
 *   POST  /apps/{app}/rollback  { "version": N } (optional) → 201 { "release": N, "rolledBackTo": M }
 * Changes are made by the token in `res.locals` (its name is the release's actor).
 */
import type express from 'express';
import { InvalidInputError } from '../../core/errors.js';
import { parseAppName } from '../../core/names.js';
import { parseConfigPatch } from '../../scheduler/index.js';
import { grantOf } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

export function registerConfigRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/apps/:app/config', route(async (req, res) => {
    res.json({ vars: await deps.releases.config(parseAppName(req.params.app)) });
  }));
  v1.patch('/apps/:app/config', route(async (req, res) => {
    const app = parseAppName(req.params.app);
    res.json(await deps.releases.setConfig(app, parseConfigPatch(req.body), grantOf(res).name));
  }));
  v1.post('/apps/:app/rollback', route(async (req, res) => {
    const app = parseAppName(req.params.app);
    const version = parseRollbackVersion((req.body as { version?: unknown } | undefined)?.version);
    res.status(201).json(await deps.releases.rollback(app, version, grantOf(res).name));
  }));
}

/** `3` or `"v3"` or absent (the release before the current one). */
export function parseRollbackVersion(input: unknown): number | undefined {
  if (input === undefined || input === null) return undefined;
  const text = typeof input === 'number' ? String(input) : typeof input === 'string' ? input.trim().replace(/^v/i, '') : '';
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidInputError(`release "${String(input)}" is not a release number: use e.g. 3 or "v3"`);
  }
  return n;
}
