/**
 * Telling the repository host about a deploy (issue 22): a `devflow/deploy` commit status and
 * one preview comment per pull request, edited in place. One small interface, one driver per
 * host, chosen in `hostApi`:
 *
 * - GitHub: REST "Create a commit status" (POST /repos/{owner}/{repo}/statuses/{sha}) and issue
 *   comments (POST …/issues/{n}/comments, PATCH …/issues/comments/{id}), through @octokit/rest.
 * - Gitea: the same paths under /api/v1 (`Authorization: token …`), with fetch.
 * - GitLab: POST /projects/{id}/statuses/{sha} (states pending/running/success/failed/canceled,
 *   `name` is the context) and merge-request notes (POST/PUT …/merge_requests/{iid}/notes),
 *   `PRIVATE-TOKEN`, with fetch.
 */
import type { Octokit } from '@octokit/rest';
import { DevflowError } from '../../core/errors.js';
import type { HostProvider } from './host-event.js';

export const STATUS_CONTEXT = 'devflow/deploy';
/** Previews report under their own name, so that a commit deployed both ways shows both. */
export const PREVIEW_CONTEXT = 'devflow/preview';

export type DeployStatus = 'pending' | 'success' | 'failure' | 'error';

export interface HostRepository {
  /** API base URL, e.g. https://api.github.com, https://gitea.example.com/api/v1. */
  apiUrl: string;
  /** owner/repo (GitLab: the project's full path). */
  path: string;
  token: string;
}

export interface StatusReport {
  state: DeployStatus;
  targetUrl: string;
  description: string;
  /** The status's name on the commit; absent: devflow/deploy (previews: devflow/preview). */
  context?: string;
}

export interface HostApi {
  setStatus(repo: HostRepository, sha: string, status: StatusReport): Promise<void>;
  /** Creates the comment, or edits `commentId`'s; returns the comment's id. */
  upsertComment(repo: HostRepository, pullRequest: number, commentId: string | undefined, body: string): Promise<string>;
}

const github: HostApi = {
  async setStatus(repo, sha, status) {
    const { owner, name } = split(repo.path);
    await (await octokit(repo)).rest.repos.createCommitStatus({
      owner, repo: name, sha, state: status.state, target_url: status.targetUrl, description: status.description, context: status.context ?? STATUS_CONTEXT,
    });
  },
  async upsertComment(repo, pullRequest, commentId, body) {
    const { owner, name } = split(repo.path);
    const client = await octokit(repo);
    if (commentId) {
      await client.rest.issues.updateComment({ owner, repo: name, comment_id: Number(commentId), body });
      return commentId;
    }
    const created = await client.rest.issues.createComment({ owner, repo: name, issue_number: pullRequest, body });
    return String(created.data.id);
  },
};

const gitea: HostApi = {
  async setStatus(repo, sha, status) {
    await call(repo, 'POST', `/repos/${repoPath(repo)}/statuses/${sha}`, giteaAuth(repo), {
      state: status.state, target_url: status.targetUrl, description: status.description, context: status.context ?? STATUS_CONTEXT,
    });
  },
  async upsertComment(repo, pullRequest, commentId, body) {
    if (commentId) {
      await call(repo, 'PATCH', `/repos/${repoPath(repo)}/issues/comments/${commentId}`, giteaAuth(repo), { body });
      return commentId;
    }
    const created = await call(repo, 'POST', `/repos/${repoPath(repo)}/issues/${pullRequest}/comments`, giteaAuth(repo), { body });
    return String((created as { id: number }).id);
  },
};

const GITLAB_STATES: Record<DeployStatus, string> = { pending: 'running', success: 'success', failure: 'failed', error: 'canceled' };

const gitlab: HostApi = {
  async setStatus(repo, sha, status) {
    await call(repo, 'POST', `/projects/${encodeURIComponent(repo.path)}/statuses/${sha}`, { 'private-token': repo.token }, {
      state: GITLAB_STATES[status.state], name: status.context ?? STATUS_CONTEXT, target_url: status.targetUrl, description: status.description,
    });
  },
  async upsertComment(repo, pullRequest, commentId, body) {
    const notes = `/projects/${encodeURIComponent(repo.path)}/merge_requests/${pullRequest}/notes`;
    if (commentId) {
      await call(repo, 'PUT', `${notes}/${commentId}`, { 'private-token': repo.token }, { body });
      return commentId;
    }
    const created = await call(repo, 'POST', notes, { 'private-token': repo.token }, { body });
    return String((created as { id: number }).id);
  },
};

const DRIVERS: Record<HostProvider, HostApi> = { github, gitea, gitlab };

export function hostApi(provider: HostProvider): HostApi {
  return DRIVERS[provider];
}

/** Where each host's API is when the connection does not say (GitHub Enterprise: /api/v3). */
export function defaultApiUrl(provider: HostProvider, repositoryHost: string): string {
  if (provider === 'github') return repositoryHost === 'github.com' ? 'https://api.github.com' : `https://${repositoryHost}/api/v3`;
  return `https://${repositoryHost}/api/${provider === 'gitea' ? 'v1' : 'v4'}`;
}

/** The host a repository is on when its name says it (github.com, gitlab.com); else the first webhook tells. */
export function knownProvider(repositoryHost: string): HostProvider | null {
  if (repositoryHost === 'github.com') return 'github';
  if (repositoryHost === 'gitlab.com') return 'gitlab';
  if (repositoryHost === 'gitea.com' || repositoryHost === 'codeberg.org') return 'gitea';
  return null;
}

/** Issue 23: the package loads at the first call to GitHub's API, not with every `devflow up`. */
async function octokit(repo: HostRepository): Promise<Octokit> {
  const { Octokit: OctokitClass } = await import('@octokit/rest');
  return new OctokitClass({ auth: repo.token, baseUrl: repo.apiUrl, userAgent: 'devflow', request: { retries: 0 } });
}

function split(path: string): { owner: string; name: string } {
  const at = path.lastIndexOf('/');
  return { owner: path.slice(0, at), name: path.slice(at + 1) };
}

function repoPath(repo: HostRepository): string {
  const { owner, name } = split(repo.path);
  return `${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
}

function giteaAuth(repo: HostRepository): Record<string, string> {
  return { authorization: `token ${repo.token}` };
}

async function call(repo: HostRepository, method: string, path: string, auth: Record<string, string>, body: unknown): Promise<unknown> {
  const response = await fetch(`${repo.apiUrl}${path}`, {
    method, headers: { ...auth, 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'devflow' },
    body: JSON.stringify(body), signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) throw new DevflowError('internal', `${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) as unknown : {};
}
