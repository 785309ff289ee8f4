/**
 * Add-ons of an app (issue 21, addons/index.ts):
 *   GET    /apps/{app}/addons            → [ { id, name, kind, plan, connection (masked), env, … } ]
 *   POST   /apps/{app}/addons            { "kind": "redis", "options": { "extensions": "pg_trgm" } } → 201 { addon, release }
 *   DELETE /apps/{app}/addons/{addon}    (kind or name) → { deleted, release }
 *   PUT    /apps/{app}/addons/{addon}/previews  { "share": true } → the add-on: whether previews use it as the app does
 * Creating or destroying one that binds variables makes a new release (config:set's path).
 */
import type express from 'express';
import { DevflowError, InvalidInputError } from '../../core/errors.js';
import { parseAppName } from '../../core/names.js';
import type { AddonOperations } from '../../addons/index.js';
import { grantOf } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

const OPTION_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** `{ kind, options? }`, each option a string. */
export function parseNewAddon(body: unknown): { kind: string; options: Record<string, string> } {
  const { kind, options = {}, ...rest } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof kind !== 'string' || kind.trim() === '') throw new InvalidInputError('send {"kind": "redis"} (and "options" for the kind, if any)');
  if (Object.keys(rest).length > 0) throw new InvalidInputError(`unknown field "${Object.keys(rest)[0]}": send kind and options`);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidInputError('options must be an object of strings');
  for (const [name, value] of Object.entries(options)) {
    if (!OPTION_NAME.test(name)) throw new InvalidInputError(`"${name}" is not an option name`);
    if (typeof value !== 'string') throw new InvalidInputError(`option ${name} must be a string`);
  }
  return { kind: kind.trim(), options: options as Record<string, string> };
}

export function addonsOf(deps: ApiDeps): AddonOperations {
  if (!deps.addons) throw new DevflowError('runtime_unavailable', 'add-ons are not available on this DevFlow');
  return deps.addons;
}

export function registerAddonRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/apps/:app/addons', route(async (req, res) => {
    res.json(await addonsOf(deps).list(parseAppName(req.params.app)));
  }));
  v1.post('/apps/:app/addons', route(async (req, res) => {
    const { kind, options } = parseNewAddon(req.body);
    res.status(201).json(await addonsOf(deps).create(parseAppName(req.params.app), kind, options, grantOf(res).name));
  }));
  v1.delete('/apps/:app/addons/:addon', route(async (req, res) => {
    const ref = String(req.params.addon);
    const { release } = await addonsOf(deps).destroy(parseAppName(req.params.app), ref, grantOf(res).name);
    res.json({ deleted: ref, release });
  }));
  v1.put('/apps/:app/addons/:addon/previews', route(async (req, res) => {
    const share = (req.body as { share?: unknown } | undefined)?.share;
    if (typeof share !== 'boolean') throw new InvalidInputError('send {"share": true} (previews use the app\'s add-on) or {"share": false} (their own, or none)');
    res.json(await addonsOf(deps).shareWithPreviews(parseAppName(req.params.app), String(req.params.addon), share));
  }));
}
