/**
 * Push webhooks from GitHub, Gitea and GitLab, reduced to one shape (issue 22). Pure: no I/O.
 * Signatures are checked before this runs, by the same `verifyDelivery` as pull-request
 * webhooks (scheduler/previews/webhook.ts). The payloads are the documented ones:
 *
 * - GitHub "push" (`X-GitHub-Event: push`, id in `X-GitHub-Delivery`): ref, before, after,
 *   created, deleted, forced, commits[] (each with added/removed/modified), repository.full_name.
 * - Gitea "push" (`X-Gitea-Event: push`, id in `X-Gitea-Delivery`; it also sends GitHub's
 *   headers, so Gitea's are read first): the same fields plus total_commits; a deleted branch
 *   comes as a push to the all-zeros commit or as a "delete" event.
 * - GitLab "Push Hook" / "Tag Push Hook" (`X-Gitlab-Event`, id in `X-Gitlab-Event-UUID` or
 *   `Idempotency-Key`): ref, before, after, total_commits_count, commits[] (at most 20),
 *   project.path_with_namespace.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../../core/errors.js';

export type HostProvider = 'github' | 'gitea' | 'gitlab';
type Headers = Record<string, string | string[] | undefined>;

export interface PushEvent {
  provider: HostProvider;
  /** `refs/heads/<b>` or `refs/tags/<t>`, as pushed. */
  ref: string;
  before: string;
  /** The new head; all zeros when the ref was deleted. */
  after: string;
  deleted: boolean;
  /** Paths each pushed commit added, modified or removed. */
  changedPaths: string[];
  /** False when the payload's commit list may leave commits out (then paths are unknown). */
  pathsComplete: boolean;
  /** `owner/repo` (GitLab: `group/sub/project`). */
  repository: string;
}

/** What a delivery is about, before reading it further. */
export type HostEventKind = 'push' | 'pull_request' | 'ping' | 'branch_deleted' | 'other';

export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function providerOf(headers: Headers): HostProvider {
  if (header(headers, 'x-gitlab-event') !== undefined) return 'gitlab';
  if (header(headers, 'x-gitea-event') !== undefined) return 'gitea';
  return 'github';
}

export function eventName(headers: Headers): string {
  return header(headers, 'x-gitlab-event') ?? header(headers, 'x-gitea-event') ?? header(headers, 'x-github-event') ?? 'unknown';
}

const KINDS: Record<string, HostEventKind> = {
  'push': 'push', 'Push Hook': 'push', 'Tag Push Hook': 'push', 'pull_request': 'pull_request', 'Merge Request Hook': 'pull_request',
  'ping': 'ping', 'delete': 'branch_deleted',
};

export function eventKind(headers: Headers): HostEventKind {
  return KINDS[eventName(headers)] ?? 'other';
}

/**
 * The delivery's id as its host names it, so that a redelivery of the same event is applied
 * once; a host that sends none gets the body's digest (the same body is the same delivery).
 */
export function deliveryId(headers: Headers, body: Buffer): string {
  const named = header(headers, 'x-gitea-delivery') ?? header(headers, 'x-github-delivery') ?? header(headers, 'x-gitlab-event-uuid')
    ?? header(headers, 'idempotency-key');
  return named?.trim() ? named.trim().slice(0, 200) : `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** GitHub's documented cap on the commits of one push payload. */
const GITHUB_MAX_COMMITS = 2048;

export function parsePushEvent(headers: Headers, body: Buffer): PushEvent {
  const payload = parseJson(body);
  const provider = providerOf(headers);
  const ref = String(payload.ref ?? '');
  const before = String(payload.before ?? '');
  const after = String(payload.after ?? '');
  if (!ref.startsWith('refs/')) throw new InvalidInputError('the push webhook has no ref');
  if (!SHA.test(before) || !SHA.test(after)) throw new InvalidInputError('the push webhook has no before/after commit ids');
  const commits: Array<Record<string, unknown>> = Array.isArray(payload.commits) ? payload.commits : [];
  const total = Number(payload.total_commits_count ?? payload.total_commits ?? commits.length);
  const deleted = /^0+$/.test(after) || payload.deleted === true;
  return {
    provider, ref, before, after, deleted,
    changedPaths: [...new Set(commits.flatMap((c) => ['added', 'modified', 'removed'].flatMap((k) => stringList(c[k]))))],
    pathsComplete: commits.length > 0 && total === commits.length && commits.length < GITHUB_MAX_COMMITS
      && payload.forced !== true && !/^0+$/.test(before),
    repository: String(payload.repository?.full_name ?? payload.project?.path_with_namespace ?? ''),
  };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function parseJson(body: Buffer): Record<string, any> {
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, any>;
  } catch {
    // Reported below.
  }
  throw new InvalidInputError('the webhook body is not a JSON object: set the content type to application/json on the host');
}
