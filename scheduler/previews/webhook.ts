/**
 * Pull-request webhooks from GitHub, Gitea and GitLab, reduced to one event shape. Pure:
 * signature checks and payload parsing, no I/O.
 *
 * - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, `X-GitHub-Event: pull_request`.
 * - Gitea: `X-Gitea-Signature: <hex HMAC-SHA256>` (or GitHub's header), `X-Gitea-Event: pull_request`.
 * - GitLab: `X-Gitlab-Token: <the secret itself>`, `X-Gitlab-Event: Merge Request Hook`.
 * Every comparison is constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidInputError, UnauthorizedError } from '../../core/errors.js';

export type PullRequestAction = 'deploy' | 'remove' | 'ignore';

export interface PullRequestEvent {
  provider: 'github' | 'gitea' | 'gitlab';
  action: PullRequestAction;
  number: number;
  headSha: string;
  headRef: string;
  cloneUrl: string;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function hmacHex(secret: string, body: Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Throws UnauthorizedError unless the delivery is signed with `secret`. */
export function verifyDelivery(headers: Headers, body: Buffer, secret: string): void {
  const expected = hmacHex(secret, body);
  const github = header(headers, 'x-hub-signature-256');
  const gitea = header(headers, 'x-gitea-signature');
  const gitlab = header(headers, 'x-gitlab-token');
  const ok =
    (github !== undefined && safeEqual(github, `sha256=${expected}`)) ||
    (gitea !== undefined && safeEqual(gitea, expected)) ||
    (gitlab !== undefined && safeEqual(gitlab, secret));
  if (!ok) {
    throw new UnauthorizedError(
      github || gitea || gitlab
        ? 'the webhook signature does not match: check the secret set on the repository webhook'
        : 'the webhook is not signed: set the secret from `devflow previews:webhook <app>` on the repository webhook',
    );
  }
}

const GITHUB_ACTIONS: Record<string, PullRequestAction> = { opened: 'deploy', reopened: 'deploy', synchronize: 'deploy', closed: 'remove' };
const GITLAB_ACTIONS: Record<string, PullRequestAction> = { open: 'deploy', reopen: 'deploy', update: 'deploy', close: 'remove', merge: 'remove' };

/** Parses a verified delivery; events that are not pull requests come back as `ignore`. */
export function parsePullRequestEvent(headers: Headers, body: Buffer): PullRequestEvent | { action: 'ignore'; reason: string } {
  let payload: Record<string, any>;
  try {
    payload = JSON.parse(body.toString('utf8')) as Record<string, any>;
  } catch {
    throw new InvalidInputError('the webhook body is not JSON');
  }
  const gitlabEvent = header(headers, 'x-gitlab-event');
  if (gitlabEvent !== undefined) return parseGitlab(gitlabEvent, payload);
  const event = header(headers, 'x-github-event') ?? header(headers, 'x-gitea-event');
  if (event !== 'pull_request') return { action: 'ignore', reason: `event "${event ?? 'unknown'}" is not a pull request` };
  const pr = payload.pull_request ?? {};
  return checked({
    provider: header(headers, 'x-gitea-event') !== undefined ? 'gitea' : 'github',
    action: GITHUB_ACTIONS[String(payload.action)] ?? 'ignore',
    number: Number(payload.number ?? pr.number),
    headSha: String(pr.head?.sha ?? ''),
    headRef: String(pr.head?.ref ?? ''),
    cloneUrl: String(pr.head?.repo?.clone_url ?? payload.repository?.clone_url ?? ''),
  });
}

function parseGitlab(event: string, payload: Record<string, any>): PullRequestEvent | { action: 'ignore'; reason: string } {
  if (event !== 'Merge Request Hook') return { action: 'ignore', reason: `event "${event}" is not a merge request` };
  const attributes = payload.object_attributes ?? {};
  return checked({
    provider: 'gitlab',
    action: GITLAB_ACTIONS[String(attributes.action)] ?? 'ignore',
    number: Number(attributes.iid),
    headSha: String(attributes.last_commit?.id ?? ''),
    headRef: String(attributes.source_branch ?? ''),
    cloneUrl: String(attributes.source?.git_http_url ?? payload.project?.git_http_url ?? ''),
  });
}

function checked(event: PullRequestEvent): PullRequestEvent {
  if (!Number.isInteger(event.number) || event.number <= 0) throw new InvalidInputError('the webhook has no pull request number');
  if (event.action === 'deploy') {
    if (!/^[0-9a-f]{40}$/.test(event.headSha)) throw new InvalidInputError('the webhook has no head commit sha');
    if (!/^https?:\/\//.test(event.cloneUrl)) throw new InvalidInputError('the webhook has no http(s) clone URL for the head repository');
  }
  return event;
}
