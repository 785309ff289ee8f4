/**
 * pg:backups (issue 21, addons/backups):
 *   GET    /apps/{app}/pg/backups                      → [ { name: "b003", kind, state, bytes, sha256, … } ]
 *   POST   /apps/{app}/pg/backups                      → 201, the backup, once written
 *   DELETE /apps/{app}/pg/backups/{backup}             → the deleted backup
 *   GET    /apps/{app}/pg/backups/{backup}/download    → the pg_dump file
 *   POST   /apps/{app}/pg/backups/{backup}/restore     { "confirm": "<target>", "toApp"?: "<target>" }
 * A restore replaces the target's data, so the body names the target again (as apps:destroy asks).
 */
import { pipeline } from 'node:stream/promises';
import type express from 'express';
import { parseBackupRef } from '../../addons/index.js';
import { InvalidInputError } from '../../core/errors.js';
import { parseAppName, type AppName } from '../../core/names.js';
import type { ApiDeps } from '../deps.js';
import { addonsOf } from './addons.js';
import { route } from './handler.js';

export function parseRestore(app: AppName, body: unknown): AppName {
  const { toApp, confirm, ...rest } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new InvalidInputError(`unknown field "${Object.keys(rest)[0]}": send confirm and, to restore into another app, toApp`);
  if (toApp !== undefined && typeof toApp !== 'string') throw new InvalidInputError('toApp must be an app name');
  const target = toApp === undefined ? app : parseAppName(toApp);
  if (confirm !== target) throw new InvalidInputError(`a restore replaces ${target}'s data (a safety backup is taken first): send "confirm": "${target}"`);
  return target;
}

export function registerBackupRoutes(v1: express.Router, deps: ApiDeps): void {
  const backups = () => addonsOf(deps).backups;
  v1.get('/apps/:app/pg/backups', route(async (req, res) => {
    res.json(await backups().list(parseAppName(req.params.app)));
  }));
  v1.post('/apps/:app/pg/backups', route(async (req, res) => {
    res.status(201).json(await backups().capture(parseAppName(req.params.app)));
  }));
  v1.delete('/apps/:app/pg/backups/:backup', route(async (req, res) => {
    res.json(await backups().remove(parseAppName(req.params.app), parseBackupRef(String(req.params.backup))));
  }));
  v1.get('/apps/:app/pg/backups/:backup/download', route(async (req, res) => {
    const { backup, body } = await backups().download(parseAppName(req.params.app), parseBackupRef(String(req.params.backup)));
    res.writeHead(200, {
      'content-type': 'application/octet-stream', 'content-length': String(backup.bytes),
      'content-disposition': `attachment; filename="${req.params.app}-${backup.name}.dump"`, 'x-checksum-sha256': backup.sha256 ?? '',
    });
    await pipeline(body, res);
  }));
  v1.post('/apps/:app/pg/backups/:backup/restore', route(async (req, res) => {
    const app = parseAppName(req.params.app);
    const number = parseBackupRef(String(req.params.backup));
    res.json(await backups().restore(app, number, parseRestore(app, req.body)));
  }));
}
