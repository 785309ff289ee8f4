/**
 * The REST API, /api/v1. Routes parse input once at the edge (parseAppName) and call domain
 * operations; errors travel as typed errors to `errorHandler`.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { appUrl, type Config } from '../core/config.js';
import { InvalidInputError } from '../core/errors.js';
import { parseAppName } from '../core/names.js';
import { getApp, listApps, type AppRecord } from '../core/store/apps.js';
import type { Sql } from '../core/store/database.js';
import { getDeployment, listDeployments, readDeploymentLog } from '../core/store/deployments.js';
import { listReleases } from '../core/store/releases.js';
import { verifyToken, type Scope } from '../core/store/tokens.js';
import type { LogSink } from '../core/types.js';
import { tokenFromRequest } from './auth.js';
import { errorHandler, sendError } from './errors.js';

export interface AppOperations {
  create(name: string): Promise<AppRecord>;
  destroy(name: string): Promise<void>;
}

export interface ApiDeps {
  sql: Sql;
  config: Config;
  apps: AppOperations;
  followDeployment(deploymentId: number, log: LogSink): Promise<unknown>;
}

type Handler = (req: Request, res: Response) => Promise<void>;

function route(handler: Handler) {
  return (req: Request, res: Response, next: NextFunction) => handler(req, res).catch(next);
}

export function createApi(deps: ApiDeps): express.Express {
  const api = express();
  api.disable('x-powered-by');
  api.use('/api', requireToken(deps.sql));
  api.use(express.json({ limit: '1mb' }));
  const v1 = express.Router();
  const view = (app: AppRecord) => appView(deps.config, app);

  v1.get('/apps', route(async (_req, res) => void res.json((await listApps(deps.sql)).map(view))));
  v1.post('/apps', route(async (req, res) => {
    const body = req.body as { name?: unknown } | undefined;
    if (typeof body?.name !== 'string') throw new InvalidInputError('send a JSON body like {"name": "my-app"}');
    res.status(201).json(view(await deps.apps.create(body.name)));
  }));
  v1.get('/apps/:app', route(async (req, res) => void res.json(view(await getApp(deps.sql, parseAppName(req.params.app))))));
  v1.delete('/apps/:app', route(async (req, res) => {
    await deps.apps.destroy(String(req.params.app));
    res.json({ deleted: req.params.app });
  }));
  v1.get('/apps/:app/deployments', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    res.json(await listDeployments(deps.sql, app.id));
  }));
  v1.get('/apps/:app/releases', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    const releases = await listReleases(deps.sql, app.id);
    res.json(releases.map((r) => ({ version: r.version, sha: r.sha, description: r.description, createdAt: r.createdAt,
      current: r.version === app.currentRelease, artifact: r.artifact.kind === 'image' ? r.artifact.image : 'slug' })));
  }));
  v1.get('/deployments/:id', route(async (req, res) => void res.json(await getDeployment(deps.sql, parseId(req.params.id)))));
  v1.get('/deployments/:id/log', route(async (req, res) => streamLog(deps, parseId(req.params.id), req, res)));

  api.use('/api/v1', v1);
  api.use('/api', (_req, res) => sendError(res, 404, 'not_found', 'no such API route; see /api/v1'));
  api.use(errorHandler);
  return api;
}

function requireToken(sql: Sql, scope: Scope = 'admin') {
  return (req: Request, res: Response, next: NextFunction) => {
    const token = tokenFromRequest(req);
    if (!token) return sendError(res, 401, 'unauthorized', 'authentication required: send "Authorization: Bearer <token>"');
    verifyToken(sql, token)
      .then((grant) => {
        if (!grant) return sendError(res, 401, 'unauthorized', 'the token is not valid or has expired');
        if (!grant.scopes.includes(scope) && !grant.scopes.includes('admin')) {
          return sendError(res, 403, 'forbidden', `this token lacks the "${scope}" scope`);
        }
        next();
      })
      .catch(next);
  };
}

function parseId(value: unknown): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) throw new InvalidInputError(`"${String(value)}" is not a deployment id`);
  return id;
}

async function streamLog(deps: ApiDeps, id: number, req: Request, res: Response): Promise<void> {
  await getDeployment(deps.sql, id);
  res.type('text/plain; charset=utf-8');
  if (req.query.follow !== 'true' && req.query.follow !== '1') {
    const rows = await readDeploymentLog(deps.sql, id);
    res.end(rows.map((r) => `${r.line}\n`).join(''));
    return;
  }
  // Following replays the stored lines, then keeps the response open until the deployment ends.
  res.flushHeaders();
  await deps.followDeployment(id, { line: (text) => void res.write(`${text}\n`) });
  res.end();
}

export function appView(config: Config, app: AppRecord) {
  return {
    name: app.name,
    url: appUrl(config, app.name),
    gitUrl: `http://localhost:${config.port}/${app.name}.git`,
    deployBranch: app.deployBranch,
    currentRelease: app.currentRelease,
    createdAt: app.createdAt,
  };
}
