/**
 * Point-in-time recovery (issue 21, addons/pitr):
 *   POST   /apps/{app}/pg/restore                          { "to": "2026-12-04 10:15:00" } → 202, the restore, running
 *                                                          (recovery goes on in the background: poll GET …/restores)
 *   GET    /apps/{app}/pg/restores                         → [ { name: "r001", to, database, state, … } ]
 *   POST   /apps/{app}/pg/restores/{restore}/promote       { "confirm": "<app>" } → the restore, promoted
 *   DELETE /apps/{app}/pg/restores/{restore}               → the restore, discarded (its database dropped)
 *   GET    /pg/basebackups                                 → { earliest, baseBackups } (operators)
 *   POST   /pg/basebackups                                 → 201, a base backup now (operators)
 * A promote replaces the app's data (after a safety backup), so the body names the app again.
 */
import type express from 'express';
import { parseRestoreRef, type PitrService } from '../../addons/index.js';
import { ConflictError, InvalidInputError } from '../../core/errors.js';
import { parseAppName, type AppName } from '../../core/names.js';
import type { ApiDeps } from '../deps.js';
import { addonsOf } from './addons.js';
import { route } from './handler.js';

function fields(body: unknown, allowed: string[]): Record<string, unknown> {
  const given = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const unknown = Object.keys(given).find((k) => !allowed.includes(k));
  if (unknown) throw new InvalidInputError(`unknown field "${unknown}": send ${allowed.join(' and ')}`);
  return given;
}

export function parseRestoreTarget(body: unknown): string {
  const { to } = fields(body, ['to']);
  if (typeof to !== 'string') throw new InvalidInputError('send "to": the time to restore to, e.g. "2026-12-04 10:15:00" (UTC)');
  return to;
}

export function parsePromote(app: AppName, body: unknown): void {
  const { confirm } = fields(body, ['confirm']);
  if (confirm !== app) throw new InvalidInputError(`promoting replaces ${app}'s data (a safety backup is taken first): send "confirm": "${app}"`);
}

export function registerPitrRoutes(v1: express.Router, deps: ApiDeps): void {
  const pitr = (): PitrService => {
    const service = addonsOf(deps).pitr;
    if (!service) throw new ConflictError('point-in-time recovery is off on this DevFlow: the platform PostgreSQL archives no WAL (DEVFLOW_PITR=on, and with DATABASE_URL an archive at DEVFLOW_HOME/wal)');
    return service;
  };
  v1.post('/apps/:app/pg/restore', route(async (req, res) => {
    const { restore, done } = await pitr().beginRestore(parseAppName(req.params.app), parseRestoreTarget(req.body));
    done.catch(() => {}); // a failure is logged and recorded on the restore (state failed, with the reason)
    res.status(202).json(restore);
  }));
  v1.get('/apps/:app/pg/restores', route(async (req, res) => {
    res.json(await pitr().listRestores(parseAppName(req.params.app)));
  }));
  v1.post('/apps/:app/pg/restores/:restore/promote', route(async (req, res) => {
    const app = parseAppName(req.params.app);
    parsePromote(app, req.body);
    res.json(await pitr().promote(app, parseRestoreRef(String(req.params.restore))));
  }));
  v1.delete('/apps/:app/pg/restores/:restore', route(async (req, res) => {
    res.json(await pitr().discard(parseAppName(req.params.app), parseRestoreRef(String(req.params.restore))));
  }));
  v1.get('/pg/basebackups', route(async (_req, res) => {
    res.json(await pitr().status());
  }));
  v1.post('/pg/basebackups', route(async (_req, res) => {
    res.status(201).json(await pitr().baseBackup());
  }));
}
