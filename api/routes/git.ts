/** /api/v1/apps/{app}/git: the app's connected repository, its webhook and the last deliveries (issue 22). */
import type express from 'express';
import { InvalidInputError } from '../../core/errors.js';
import { grantOf } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import { deploymentView } from './deployments.js';
import { route } from './handler.js';

export function registerGitRoutes(v1: express.Router, deps: ApiDeps): void {
  const git = () => {
    if (!deps.git) throw new InvalidInputError('this DevFlow has no git host connections');
    return deps.git;
  };
  v1.get('/apps/:app/git', route(async (req, res) => void res.json(await git().info(String(req.params.app)))));
  v1.put('/apps/:app/git', route(async (req, res) => void res.json(await git().connect(String(req.params.app), parseConnect(req.body)))));
  v1.delete('/apps/:app/git', route(async (req, res) => {
    await git().disconnect(String(req.params.app));
    res.json({ deleted: 'git' });
  }));
  v1.get('/apps/:app/git/webhook', route(async (req, res) => void res.json(await git().webhook(String(req.params.app), false))));
  v1.post('/apps/:app/git/webhook', route(async (req, res) => void res.json(await git().webhook(String(req.params.app), true))));
  v1.post('/apps/:app/git/deploy', route(async (req, res) => {
    res.status(202).json(deploymentView(await git().deployHead(String(req.params.app), grantOf(res).name)));
  }));
}

const FIELDS = {
  url: 'string', branch: 'string', baseDir: 'string', provider: 'string', apiUrl: 'string', token: 'string', deployKey: 'boolean',
  tags: 'string', tagsOnly: 'boolean', knownHosts: 'string',
} as const;

function parseConnect(body: unknown): { url: string } & Record<string, string | boolean | undefined> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidInputError('send a JSON object like {"url": "https://github.com/acme/shop.git"}');
  const input = body as Record<string, unknown>;
  for (const [key, value] of Object.entries(input)) {
    const type = FIELDS[key as keyof typeof FIELDS];
    if (!type) throw new InvalidInputError(`unknown field "${key}": use ${Object.keys(FIELDS).join(', ')}`);
    if (value !== undefined && value !== null && typeof value !== type) throw new InvalidInputError(`${key} must be a ${type}`);
  }
  if (typeof input.url !== 'string') throw new InvalidInputError('url is required');
  return input as { url: string } & Record<string, string | boolean | undefined>;
}
