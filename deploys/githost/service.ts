/**
 * Deploys from a git host (issue 22). An app connected to its repository gets one webhook
 * (`/hooks/<app>/git`, the app's preview-webhook secret): a signed push to the deploy branch
 * fetches that commit into the app's repository (the receiver's) and deploys it through the
 * scheduler's `enqueueDeployment`, as a `git push devflow` does; pull-request events go to the
 * previews as at `/hooks/<app>/pull-request`. Each delivery id is applied once. The deploy's
 * progress goes back to the host as a commit status (report.ts).
 */
import { NotFoundError, ConflictError, errorMessage } from '../../core/errors.js';
import { parseAppName, type AppName } from '../../core/names.js';
import { openSecret, type SecretKey } from '../../core/secrets.js';
import { getApp, type AppRecord } from '../../core/store/apps.js';
import type { Deployment } from '../../core/types.js';
import type { Sql } from '../../core/store/database.js';
import {
  deleteGitConnection, findGitConnection, hasNewerDeployDelivery, listDeliveries, pinKnownHosts, recordDelivery, saveGitConnection, setDeliveryResult,
  setGitProvider, type GitConnectionRecord, type GitDelivery,
} from '../../core/store/git-connections.js';
import { getSealedWebhookSecret } from '../../core/store/previews.js';
import type { AppRepositories } from '../../receiver/index.js';
import { enqueueDeployment, parsePullRequestEvent, verifyDelivery, type EnqueueDeps } from '../../scheduler/index.js';
import { connectionView, fetchCredentials, planConnection, type ConnectInput, type ConnectionView } from './connections.js';
import { deliveryId, eventKind, eventName, parsePushEvent, providerOf, type PushEvent } from './host-event.js';
import { planPush, type PushPlan } from './push-plan.js';
import type { PreviewStarted } from '../previews.js';
import type { HostReporter } from './report.js';

type Headers = Record<string, string | string[] | undefined>;

/** The previews' side of the one webhook: its secret and its pull-request handling. */
export interface PullRequestPreviews {
  receiveWebhook(app: string, headers: Headers, body: Buffer): Promise<string>;
  webhook(app: string, rotate: boolean): Promise<{ url: string; secret: string }>;
  /** Each preview deployment queued (branch or pull request), to report to the host. */
  watch(listener: (started: PreviewStarted) => void): void;
}

export interface GitHostDeps {
  sql: Sql;
  secretKey: SecretKey;
  enqueue: EnqueueDeps;
  repos: AppRepositories;
  previews: PullRequestPreviews;
  reporter: HostReporter;
  /** DEVFLOW_GIT_ALLOW_HOSTS: hosts fetched from despite being loopback or private. */
  allowHosts: readonly string[];
  /** Base URL of DevFlow's API, as the host reaches it, e.g. http://localhost:7070. */
  publicUrl: string;
}

export interface GitInfo extends ConnectionView {
  webhookUrl: string;
  deliveries: GitDelivery[];
}

export class GitHostService {
  /** One chain per app: fetches and enqueues of one app happen in delivery order. */
  private readonly chains = new Map<number, Promise<unknown>>();
  /** Background work of deliveries (fetch, enqueue, one-off reports), awaited by `idle()`. */
  private readonly running = new Set<Promise<unknown>>();
  /** Deployments followed until they end, to report their result: not part of `idle()`. */
  private readonly following = new Set<Promise<unknown>>();

  constructor(private readonly deps: GitHostDeps) {
    deps.previews.watch((started) => this.background(this.reportPreview(started), this.following));
  }

  async connect(appName: string, input: ConnectInput): Promise<GitInfo> {
    const app = await this.app(appName);
    const previous = await findGitConnection(this.deps.sql, app.id);
    const planned = await planConnection(input, { branch: app.deployBranch, appName: app.name }, this.deps.secretKey, this.deps.allowHosts, previous);
    await saveGitConnection(this.deps.sql, app.id, planned);
    return this.info(app.name);
  }

  async disconnect(appName: string): Promise<void> {
    const app = await this.app(appName);
    if (!(await deleteGitConnection(this.deps.sql, app.id))) throw this.notConnected(app.name);
  }

  async info(appName: string): Promise<GitInfo> {
    const app = await this.app(appName);
    const connection = await findGitConnection(this.deps.sql, app.id);
    if (!connection) throw this.notConnected(app.name);
    return {
      ...connectionView(connection, this.deps.secretKey), webhookUrl: this.webhookUrl(app.name),
      deliveries: await listDeliveries(this.deps.sql, app.id, 20),
    };
  }

  /** The webhook to set on the repository: this URL, the app's webhook secret (shared with previews). */
  async webhook(appName: string, rotate: boolean): Promise<{ url: string; secret: string }> {
    const app = await this.app(appName);
    const { secret } = await this.deps.previews.webhook(app.name, rotate);
    return { url: this.webhookUrl(app.name), secret };
  }

  /**
   * A delivery at /hooks/<app>/git. Verified first (401 changes nothing), then recorded under
   * its delivery id (a replay is 409 and changes nothing), then acted on in the background.
   */
  async receiveWebhook(appName: string, headers: Headers, body: Buffer): Promise<string> {
    const app = await this.app(appName);
    const sealed = await getSealedWebhookSecret(this.deps.sql, app.id);
    if (!sealed) throw new NotFoundError(`${app.name} has no webhook secret: create one with \`devflow git:webhook ${app.name}\``);
    verifyDelivery(headers, body, openSecret(this.deps.secretKey, sealed));
    const connection = await findGitConnection(this.deps.sql, app.id);
    const kind = eventKind(headers);
    // The first signed delivery names the host, before anything is reported to it.
    if (connection && connection.provider === null) await setGitProvider(this.deps.sql, app.id, providerOf(headers));
    if (kind === 'pull_request') return this.pullRequest(app, connection, headers, body);
    const push = kind === 'push' ? parsePushEvent(headers, body) : undefined;
    const plan: PushPlan = !push ? { action: 'ignore', reason: ignoredEvent(kind, eventName(headers)) }
      : !connection ? { action: 'ignore', reason: `${app.name} is not connected to a repository (devflow git:connect)` }
        : planPush(push, connection);
    const id = await this.record(app, headers, body, push, plan);
    if (plan.action === 'ignore') return `ignored: ${plan.reason}`;
    this.background(this.inOrder(app.id, () => this.deployPush(app, { ...connection!, provider: connection!.provider ?? providerOf(headers) }, push!, plan, id)));
    return `deploying ${plan.sha.slice(0, 7)} of ${plan.kind === 'tag' ? 'tag ' : ''}${plan.name}`;
  }

  /**
   * `git:deploy`: fetches the deploy branch's head from the host and deploys it whatever it
   * touches (the base dir's rule is for webhooks). Returns the queued deployment.
   */
  async deployHead(appName: string, actor: string): Promise<Deployment> {
    const app = await this.app(appName);
    const connection = await findGitConnection(this.deps.sql, app.id);
    if (!connection) throw this.notConnected(app.name);
    const localRef = `refs/devflow/host/${connection.branch}`;
    await this.fetch(app, connection, { ref: `refs/heads/${connection.branch}`, name: connection.branch, sha: '', localRef });
    const { sha } = await this.deps.repos.resolveRef(app.name, localRef);
    const deployment = await enqueueDeployment(this.deps.enqueue, app, {
      ref: `refs/heads/${connection.branch}`, sha, baseSha: null, trigger: 'api', actor,
    }, (dest) => this.deps.repos.exportTree(app.name, sha, dest, { root: connection.baseDir ?? undefined }));
    if (connection.provider) this.background(this.deps.reporter.follow(app, connection, deployment), this.following);
    return deployment;
  }

  /** Waits for the fetches, enqueues and one-off reports of deliveries received so far (not for deployments to end). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async record(app: AppRecord, headers: Headers, body: Buffer, push: PushEvent | undefined, plan: PushPlan): Promise<number> {
    const id = await recordDelivery(this.deps.sql, app.id, {
      deliveryId: deliveryId(headers, body), provider: providerOf(headers), event: push ? 'push' : eventName(headers),
      ref: push?.ref ?? null, sha: push?.after ?? null,
      result: plan.action === 'ignore' ? 'ignored' : 'deploying', detail: plan.action === 'ignore' ? plan.reason : '',
    });
    if (id === undefined) throw new ConflictError(`delivery ${deliveryId(headers, body)} was already applied to ${app.name}`);
    return id;
  }

  private async deployPush(app: AppRecord, connection: GitConnectionRecord, push: PushEvent, plan: PushPlan & { action: 'deploy' }, id: number): Promise<void> {
    const { sql } = this.deps;
    const superseded = () => hasNewerDeployDelivery(sql, app.id, id);
    if (await superseded()) return setDeliveryResult(sql, id, 'superseded', 'a newer push arrived before this one was fetched');
    let sha: string;
    try {
      const localRef = `refs/devflow/host/${plan.kind === 'tag' ? 'tags/' : ''}${plan.name}`;
      await this.fetch(app, connection, { ref: plan.ref, name: plan.name, sha: plan.sha, localRef });
      // An annotated tag's push names the tag object: what is built is the commit it tags.
      sha = (await this.deps.repos.resolveRef(app.name, plan.sha)).sha;
    } catch (err) {
      await setDeliveryResult(sql, id, 'failed', errorMessage(err));
      this.background(this.deps.reporter.fetchFailed(app, connection, plan.sha, errorMessage(err)));
      return;
    }
    if (await superseded()) return setDeliveryResult(sql, id, 'superseded', 'a newer push arrived while this one was fetched');
    const deployment = await enqueueDeployment(this.deps.enqueue, app, {
      ref: push.ref, sha, baseSha: plan.kind === 'tag' || /^0+$/.test(push.before) ? null : push.before, trigger: 'push', actor: `${push.provider} webhook`,
    }, (dest) => this.deps.repos.exportTree(app.name, sha, dest, { root: connection.baseDir ?? undefined }));
    await setDeliveryResult(sql, id, 'deploying', `deployment ${deployment.id}`, deployment.id);
    this.background(this.deps.reporter.follow(app, connection, deployment).then((final) =>
      setDeliveryResult(sql, id, final.state === 'succeeded' ? 'deployed' : final.state === 'superseded' ? 'superseded' : 'failed',
        final.state === 'succeeded' ? `v${final.releaseVersion}` : final.reason ?? final.state)), this.following);
  }

  /**
   * A preview of a connected app (a branch pushed to DevFlow, or a pull request) is reported on
   * its commit like a production deploy, as devflow/preview, linking the preview when it is live.
   */
  private async reportPreview({ parent, preview, deployment, url }: PreviewStarted): Promise<void> {
    const connection = await findGitConnection(this.deps.sql, parent.id);
    if (!connection) return;
    await this.deps.reporter.follow(parent, connection, deployment, { name: preview.name, url });
  }

  /** Fetches a branch or tag of the connected repository; the ssh host keys seen on a first fetch are pinned. */
  private async fetch(app: AppRecord, connection: GitConnectionRecord, target: { ref: string; name: string; sha: string; localRef: string }): Promise<void> {
    const fetched = await this.deps.repos.fetchFromHost(app.name, {
      url: connection.url, ref: target.ref, branch: target.name, sha: target.sha, localRef: target.localRef,
      credentials: fetchCredentials(connection, this.deps.secretKey), allowHosts: this.deps.allowHosts, knownHosts: connection.knownHosts,
    });
    if (fetched.learnedKnownHosts) await pinKnownHosts(this.deps.sql, app.id, fetched.learnedKnownHosts);
  }

  private async pullRequest(app: AppRecord, connection: GitConnectionRecord | undefined, headers: Headers, body: Buffer): Promise<string> {
    const event = parsePullRequestEvent(headers, body);
    const id = deliveryId(headers, body);
    const recorded = await recordDelivery(this.deps.sql, app.id, {
      deliveryId: id, provider: providerOf(headers), event: 'pull_request', ref: 'number' in event ? `pull/${event.number}` : null,
      sha: 'headSha' in event ? event.headSha : null, result: event.action === 'deploy' ? 'deploying' : 'ignored', detail: '',
    });
    if (recorded === undefined) throw new ConflictError(`delivery ${id} was already applied to ${app.name}`);
    const result = await this.deps.previews.receiveWebhook(app.name, headers, body);
    await setDeliveryResult(this.deps.sql, recorded, event.action === 'deploy' ? 'deployed' : 'ignored', result);
    if (connection && event.action === 'deploy' && 'number' in event) {
      this.background(this.deps.reporter.previewComment(app, { ...connection, provider: connection.provider ?? providerOf(headers) }, event.number, event.headSha, result));
    }
    return result;
  }

  private inOrder(appId: number, task: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(appId) ?? Promise.resolve()).then(task, task);
    const settled = next.catch(() => {});
    this.chains.set(appId, settled);
    void settled.then(() => { if (this.chains.get(appId) === settled) this.chains.delete(appId); });
    return next;
  }

  private background(work: Promise<unknown>, set = this.running): void {
    const tracked = work.catch((err: unknown) => console.error(`devflow git host: ${errorMessage(err)}`)).finally(() => set.delete(tracked));
    set.add(tracked);
  }

  private webhookUrl(app: AppName): string {
    return `${this.deps.publicUrl}/hooks/${app}/git`;
  }

  private app(name: string): Promise<AppRecord> {
    return getApp(this.deps.sql, parseAppName(name));
  }

  private notConnected(app: AppName): NotFoundError {
    return new NotFoundError(`${app} is not connected to a repository: devflow git:connect ${app} <url>`);
  }
}

function ignoredEvent(kind: string, name: string): string {
  if (kind === 'ping') return 'ping: the webhook is set up';
  if (kind === 'branch_deleted') return 'a branch was deleted on the host: nothing is removed';
  return `event "${name}" does not deploy`;
}
