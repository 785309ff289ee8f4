/**
 * Small push-webhook samples in each host's documented shape (GitHub "push", Gitea "push",
 * GitLab "Push Hook"), written for DevFlow's tests: only the fields real deliveries carry, with
 * values a caller chooses.
 */
import { hmacHex } from '../../scheduler/index.js';
import type { HostProvider } from './host-event.js';

export interface SampleCommit { id: string; added?: string[]; modified?: string[]; removed?: string[] }
export interface SamplePush { ref: string; before: string; after: string; commits?: SampleCommit[]; repository?: string; forced?: boolean; totalCommits?: number }

const ZERO = '0'.repeat(40);

export function pushPayload(provider: HostProvider, push: SamplePush): Record<string, unknown> {
  const repo = push.repository ?? 'acme/shop';
  const commits = (push.commits ?? []).map((c) => ({
    id: c.id, message: `change ${c.id.slice(0, 7)}`, timestamp: '2026-12-05T10:00:00Z',
    url: `https://host.example/${repo}/commit/${c.id}`, author: { name: 'Ada', email: 'ada@example.com' },
    added: c.added ?? [], modified: c.modified ?? [], removed: c.removed ?? [],
  }));
  if (provider === 'gitlab') {
    return {
      object_kind: push.ref.startsWith('refs/tags/') ? 'tag_push' : 'push', event_name: 'push', before: push.before, after: push.after, ref: push.ref,
      checkout_sha: push.after === ZERO ? null : push.after, user_username: 'ada', project_id: 15,
      project: { id: 15, name: 'shop', path_with_namespace: repo, web_url: `https://gitlab.example/${repo}`, git_http_url: `https://gitlab.example/${repo}.git` },
      commits, total_commits_count: push.totalCommits ?? commits.length,
    };
  }
  const repository = { id: 140, name: repo.split('/').pop(), full_name: repo, private: true, clone_url: `https://host.example/${repo}.git`, default_branch: 'main' };
  const common = { ref: push.ref, before: push.before, after: push.after, commits, head_commit: commits.at(-1) ?? null, repository, pusher: { name: 'ada' }, sender: { login: 'ada' } };
  if (provider === 'gitea') return { ...common, compare_url: `https://gitea.example/${repo}/compare/${push.before}...${push.after}`, total_commits: push.totalCommits ?? commits.length };
  return { ...common, created: push.before === ZERO, deleted: push.after === ZERO, forced: push.forced ?? false, base_ref: null };
}

/** The headers each host sends with a push, signed with `secret` as that host signs. */
export function pushHeaders(provider: HostProvider, body: Buffer, secret: string, delivery: string, event = 'push'): Record<string, string> {
  const json = { 'content-type': 'application/json' };
  if (provider === 'gitlab') {
    return { ...json, 'x-gitlab-event': event === 'push' ? 'Push Hook' : event, 'x-gitlab-token': secret, 'x-gitlab-event-uuid': delivery };
  }
  const signature = hmacHex(secret, body);
  if (provider === 'gitea') {
    return { ...json, 'x-gitea-event': event, 'x-gitea-delivery': delivery, 'x-gitea-signature': signature, 'x-github-event': event, 'x-github-delivery': delivery };
  }
  return { ...json, 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': `sha256=${signature}` };
}
