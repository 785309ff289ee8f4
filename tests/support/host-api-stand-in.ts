/**
 * A local stand-in for the repository hosts' REST APIs (GitHub, Gitea, GitLab): the one part
 * of the git-host tests that is mocked, because those services cannot run here. It answers only
 * the calls DevFlow makes and checks each request against the documented shape (path, auth
 * header, JSON fields and allowed values); a request that does not match gets 422 and is kept
 * in `rejected`, so a test sees it. `failFor` names repositories whose calls answer 500.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostCall {
  provider: 'github' | 'gitea' | 'gitlab';
  kind: 'status' | 'comment.create' | 'comment.update';
  repo: string;
  /** The commit (status) or the pull request / comment id. */
  target: string;
  body: Record<string, unknown>;
}

export interface HostApiStandIn {
  /** Base URLs to give as --api-url. */
  urls: { github: string; gitea: string; gitlab: string };
  calls: HostCall[];
  rejected: string[];
  failFor: Set<string>;
  close(): Promise<void>;
}

const SHA = '([0-9a-f]{40})';
const ROUTES: Array<{ provider: HostCall['provider']; method: string; path: RegExp; kind: HostCall['kind']; fields: Record<string, readonly string[] | 'string'> }> = [
  { provider: 'github', method: 'POST', path: new RegExp(`^/github/repos/([^/]+/[^/]+)/statuses/${SHA}$`), kind: 'status',
    fields: { state: ['error', 'failure', 'pending', 'success'], target_url: 'string', description: 'string', context: 'string' } },
  { provider: 'github', method: 'POST', path: /^\/github\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/, kind: 'comment.create', fields: { body: 'string' } },
  { provider: 'github', method: 'PATCH', path: /^\/github\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/, kind: 'comment.update', fields: { body: 'string' } },
  { provider: 'gitea', method: 'POST', path: new RegExp(`^/gitea/api/v1/repos/([^/]+/[^/]+)/statuses/${SHA}$`), kind: 'status',
    fields: { state: ['pending', 'success', 'error', 'failure', 'warning'], target_url: 'string', description: 'string', context: 'string' } },
  { provider: 'gitea', method: 'POST', path: /^\/gitea\/api\/v1\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/, kind: 'comment.create', fields: { body: 'string' } },
  { provider: 'gitea', method: 'PATCH', path: /^\/gitea\/api\/v1\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/, kind: 'comment.update', fields: { body: 'string' } },
  { provider: 'gitlab', method: 'POST', path: new RegExp(`^/gitlab/api/v4/projects/([^/]+)/statuses/${SHA}$`), kind: 'status',
    fields: { state: ['pending', 'running', 'success', 'failed', 'canceled'], name: 'string', target_url: 'string', description: 'string' } },
  { provider: 'gitlab', method: 'POST', path: /^\/gitlab\/api\/v4\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes$/, kind: 'comment.create', fields: { body: 'string' } },
  { provider: 'gitlab', method: 'PUT', path: /^\/gitlab\/api\/v4\/projects\/([^/]+)\/merge_requests\/\d+\/notes\/(\d+)$/, kind: 'comment.update', fields: { body: 'string' } },
];

/** Each host's documented token header: GitHub `token`/`Bearer`, Gitea `token`, GitLab `PRIVATE-TOKEN`. */
function authorised(provider: HostCall['provider'], headers: http.IncomingHttpHeaders, token: string): boolean {
  if (provider === 'gitlab') return headers['private-token'] === token;
  const auth = headers.authorization ?? '';
  return auth === `token ${token}` || (provider === 'github' && auth === `Bearer ${token}`);
}

export async function startHostApiStandIn(token: string): Promise<HostApiStandIn> {
  const calls: HostCall[] = [];
  const rejected: string[] = [];
  const failFor = new Set<string>();
  let nextId = 1000;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const route = ROUTES.find((r) => r.method === req.method && r.path.test(path));
      if (!route) return rejected.push(`${req.method} ${path}: no such endpoint`), reply(404, { message: 'Not Found' });
      if (!authorised(route.provider, req.headers, token)) return rejected.push(`${req.method} ${path}: bad auth`), reply(401, { message: 'Bad credentials' });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
      } catch {
        return rejected.push(`${req.method} ${path}: body is not JSON`), reply(400, { message: 'Problems parsing JSON' });
      }
      const problem = Object.entries(route.fields).find(([field, rule]) =>
        rule === 'string' ? typeof body[field] !== 'string' : !rule.includes(String(body[field])));
      if (problem) return rejected.push(`${req.method} ${path}: field ${problem[0]} = ${JSON.stringify(body[problem[0]])}`), reply(422, { message: 'Validation Failed' });
      const [, repo, target] = route.path.exec(path)!;
      const repoName = decodeURIComponent(repo!);
      if (failFor.has(repoName)) return reply(500, { message: 'the host is down' });
      calls.push({ provider: route.provider, kind: route.kind, repo: repoName, target: target!, body });
      reply(route.kind === 'comment.update' ? 200 : 201, { id: route.kind === 'comment.update' ? Number(target) : nextId++ });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    urls: { github: `${base}/github`, gitea: `${base}/gitea/api/v1`, gitlab: `${base}/gitlab/api/v4` },
    calls, rejected, failFor,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
