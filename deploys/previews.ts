/**
 * Previews as users drive them: a branch push deploys `<slug>.<app>.<domain>`, deleting the
 * branch removes it; signed pull-request webhooks deploy `pr-<n>.<app>.<domain>` and remove it
 * when the pull request closes. Built on the preview manager (scheduler/previews/).
 */
import { randomBytes } from 'node:crypto';
import { appUrl, publicApiUrl, type Config } from '../core/config.js';
import { NotFoundError } from '../core/errors.js';
import { parseAppName, type AppName } from '../core/names.js';
import { openSecret, sealSecret } from '../core/secrets.js';
import { getApp, type AppRecord } from '../core/store/apps.js';
import { listDeployments } from '../core/store/deployments.js';
import {
  findPreview, getPreview, getSealedWebhookSecret, listPreviews, setSealedWebhookSecret, type PreviewRecord,
} from '../core/store/previews.js';
import type { Deployment, DeploymentState, LogSink } from '../core/types.js';
import type { AppRepositories, PushOutcome, PushRequest } from '../receiver/index.js';
import {
  branchSlug, enqueueDeployment, expireIdlePreviews, parsePullRequestEvent, preparePreview, pullRequestSlug, removePreview,
  verifyDelivery, type EnqueueDeps, type PreviewDeps,
} from '../scheduler/index.js';
import { deployPush, outcome, type BranchPreviews } from './push.js';

export interface PreviewView {
  slug: string;
  url: string;
  source: 'branch' | 'pull_request';
  sourceRef: string;
  state: 'deploying' | 'running' | 'failed' | 'idle';
  release: number | null;
  createdAt: Date;
  lastActivityAt: Date;
}

/** A preview deployment was queued: what a git host connection reports as a commit status. */
export interface PreviewStarted {
  parent: AppRecord;
  /** The preview's own app, e.g. pr-7--shop. */
  preview: { id: number; name: AppName };
  deployment: Deployment;
  url: string;
}

export class PreviewService implements BranchPreviews {
  private readonly watchers: Array<(started: PreviewStarted) => void> = [];

  constructor(
    private readonly deps: PreviewDeps,
    private readonly enqueue: EnqueueDeps,
    private readonly config: Pick<Config, 'domain' | 'httpPort' | 'port' | 'publicUrl'>,
    /** The parent apps' repositories, owned by the receiver: pull-request heads are fetched into them. */
    private readonly repos: AppRepositories,
  ) {}

  /** Hears of each preview deployment queued, branch or pull request (deploys/githost reports them to the host). */
  watch(listener: (started: PreviewStarted) => void): void {
    this.watchers.push(listener);
  }

  url(parent: string, slug: string): string {
    return appUrl(this.config, `${slug}.${parent}`);
  }

  async deployBranch(parent: AppRecord, push: PushRequest, log: LogSink): Promise<PushOutcome> {
    const branch = push.ref.slice('refs/heads/'.length);
    const slug = branchSlug(branch);
    log.line(`-----> Preview of ${branch} at ${this.url(parent.name, slug)}`);
    const preview = await preparePreview(this.deps, parent, slug, 'branch', branch, log);
    const target = { id: preview.appId, name: preview.app };
    const final = await deployPush(this.enqueue, target, push, log, (deployment) => this.started(parent, target, deployment, this.url(parent.name, slug)));
    if (final.state === 'succeeded') log.line(`-----> Preview live at ${this.url(parent.name, slug)}`);
    return outcome(final);
  }

  async removeBranch(parent: AppRecord, branch: string, log: LogSink): Promise<PushOutcome> {
    const preview = await findPreview(this.deps.sql, parent.id, branchSlug(branch));
    if (preview) {
      await removePreview(this.deps, preview);
      log.line(`-----> Removed the preview of ${branch}`);
    }
    return { ok: true, message: 'branch deleted' };
  }

  /** A webhook delivery: verified, then acted on in the background (the sender gets 202). */
  async receiveWebhook(appName: string, headers: Record<string, string | string[] | undefined>, body: Buffer): Promise<string> {
    const parent = await getApp(this.deps.sql, parseAppName(appName));
    const sealed = await getSealedWebhookSecret(this.deps.sql, parent.id);
    if (!sealed) throw new NotFoundError(`${parent.name} has no webhook secret: create one with \`devflow previews:webhook ${parent.name}\``);
    verifyDelivery(headers, body, openSecret(this.deps.secretKey, sealed));
    const event = parsePullRequestEvent(headers, body);
    if (event.action === 'ignore') return 'ignored';
    const slug = pullRequestSlug(event.number);
    if (event.action === 'remove') {
      const preview = await findPreview(this.deps.sql, parent.id, slug);
      if (preview) await removePreview(this.deps, preview);
      return `removed ${slug}`;
    }
    await this.repos.fetchBranch(parent.name, {
      url: event.cloneUrl, branch: event.headRef, sha: event.headSha, localRef: `refs/devflow/pull/${event.number}`,
    });
    const preview = await preparePreview(this.deps, parent, slug, 'pull_request', String(event.number), { line: () => {} });
    const target = { id: preview.appId, name: preview.app };
    const deployment = await enqueueDeployment(this.enqueue, target,
      { ref: `refs/pull/${event.number}/head`, sha: event.headSha, baseSha: null, trigger: 'api', actor: 'webhook' },
      (dest) => this.repos.exportTree(parent.name, event.headSha, dest));
    this.started(parent, target, deployment, this.url(parent.name, slug));
    return `deploying ${slug} at ${this.url(parent.name, slug)}`;
  }

  async list(appName: string): Promise<PreviewView[]> {
    const parent = await getApp(this.deps.sql, parseAppName(appName));
    const previews = await listPreviews(this.deps.sql, parent.id);
    return Promise.all(previews.map((p) => this.view(parent.name, p)));
  }

  async remove(appName: string, slug: string): Promise<void> {
    const parent = await getApp(this.deps.sql, parseAppName(appName));
    await removePreview(this.deps, await getPreview(this.deps.sql, parent.id, slug));
  }

  expireIdle(): Promise<string[]> {
    return expireIdlePreviews(this.deps);
  }

  async removeAll(parent: { id: number }): Promise<void> {
    for (const preview of await listPreviews(this.deps.sql, parent.id)) await removePreview(this.deps, preview);
  }

  /** The webhook URL and secret; a new secret is made when there is none or `rotate` is set. */
  async webhook(appName: string, rotate: boolean): Promise<{ url: string; secret: string }> {
    const parent = await getApp(this.deps.sql, parseAppName(appName));
    const sealed = await getSealedWebhookSecret(this.deps.sql, parent.id);
    let secret = sealed && !rotate ? openSecret(this.deps.secretKey, sealed) : undefined;
    if (!secret) {
      secret = randomBytes(32).toString('hex');
      await setSealedWebhookSecret(this.deps.sql, parent.id, sealSecret(this.deps.secretKey, secret));
    }
    return { url: `${publicApiUrl(this.config)}/hooks/${parent.name}/pull-request`, secret };
  }

  private started(parent: AppRecord, preview: PreviewStarted['preview'], deployment: Deployment, url: string): void {
    for (const listener of this.watchers) listener({ parent, preview, deployment, url });
  }

  private async view(parent: AppName, preview: PreviewRecord): Promise<PreviewView> {
    const [latest] = await listDeployments(this.deps.sql, preview.appId, 1);
    const state = previewState(latest?.state, preview.currentRelease !== null);
    return {
      slug: preview.slug, url: this.url(parent, preview.slug), source: preview.source, sourceRef: preview.sourceRef,
      state, release: preview.currentRelease, createdAt: preview.createdAt, lastActivityAt: preview.lastActivityAt,
    };
  }
}


/**
 * What a preview is doing, from its newest deployment: a failed or replaced deploy leaves a
 * preview that already had a release running.
 */
export function previewState(latest: DeploymentState | undefined, hasRelease: boolean): PreviewView['state'] {
  if (latest === undefined) return 'idle';
  if (latest === 'queued' || latest === 'building' || latest === 'releasing') return 'deploying';
  if (latest === 'succeeded') return 'running';
  return hasRelease ? 'running' : 'failed';
}
