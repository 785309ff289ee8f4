/**
 * The database studio (issue 17, backend/studio/): the schema of an app's database, its SQL
 * editor and each person's history of it.
 *
 *   GET  /apps/{app}/database/schema   → { tables: [...] }
 *   POST /apps/{app}/database/query    { "sql": "..." } → { command, rowCount, columns, rows, truncated }
 *   GET  /apps/{app}/database/history  → { queries: [{ sql, ok, at }] }  (the caller's own)
 *   GET  /apps/{app}/realtime/channels → [{ topic, subscribers }]  (the backend's live channels)
 *
 * SQL runs as the app database's owner, so scopes.ts asks for the deploy scope, the scope that
 * can read DATABASE_URL anyway. A statement PostgreSQL refuses is a 400 `sql_error` carrying
 * its SQLSTATE and the line and column it points at, for the editor to show.
 */
import type express from 'express';
import { SqlError } from '../../backend/index.js';
import { DevflowError, InvalidInputError } from '../../core/errors.js';
import { parseAppName } from '../../core/names.js';
import { getApp } from '../../core/store/apps.js';
import { grantOf } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

/** Big enough for a migration file pasted whole, small enough to refuse a data dump. */
const MAX_SQL_CHARS = 256 * 1024;

export function registerStudioRoutes(v1: express.Router, deps: ApiDeps): void {
  const studio = () => {
    if (!deps.backend) throw new DevflowError('runtime_unavailable', 'the database studio is not available on this DevFlow');
    return deps.backend.studio();
  };
  v1.get('/apps/:app/database/schema', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    res.json({ tables: await (await studio()).schema(app) });
  }));
  v1.post('/apps/:app/database/query', route(async (req, res) => {
    const text = (req.body as { sql?: unknown } | undefined)?.sql;
    if (typeof text !== 'string') throw new InvalidInputError('send {"sql": "select ..."}');
    if (text.length > MAX_SQL_CHARS) throw new InvalidInputError(`the query is ${text.length} characters; at most ${MAX_SQL_CHARS} are taken (load data with psql and DATABASE_URL)`);
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    try {
      res.json(await (await studio()).query(app, text, grantOf(res).name));
    } catch (err) {
      if (!(err instanceof SqlError)) throw err;
      res.status(400).json({ error: { code: 'sql_error', message: err.message, sqlState: err.sqlState, line: err.line ?? null, column: err.column ?? null } });
    }
  }));
  v1.get('/apps/:app/database/history', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    res.json({ queries: await (await studio()).history(app, grantOf(res).name) });
  }));
  v1.get('/apps/:app/realtime/channels', route(async (req, res) => {
    if (!deps.backend) throw new DevflowError('runtime_unavailable', 'the app backend is not available on this DevFlow');
    res.json(await deps.backend.realtimeChannels(parseAppName(req.params.app)));
  }));
}
