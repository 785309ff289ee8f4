/**
 * What a push means. A push to the app's deploy branch becomes a deployment (scheduler's
 * `enqueueDeployment`, given the receiver's export of the pushed tree) whose log streams back to
 * the waiting git client; the push succeeds only if the release goes live. A push to any other
 * branch deploys that branch's preview; deleting the branch removes it.
 */
import { getApp, type AppRecord } from '../core/store/apps.js';
import type { Sql } from '../core/store/database.js';
import type { AppName } from '../core/names.js';
import type { Deployment, LogSink } from '../core/types.js';
import { isZeroId, type PushOutcome, type PushRequest } from '../receiver/index.js';
import { enqueueDeployment, followDeployment, type DeploymentRequest, type EnqueueDeps } from '../scheduler/index.js';

export type PushDeps = EnqueueDeps & {
  /** Branch previews; without it, other branches are received but not deployed. */
  previews?: BranchPreviews;
};

export interface BranchPreviews {
  deployBranch(parent: AppRecord, push: PushRequest, log: LogSink): Promise<PushOutcome>;
  removeBranch(parent: AppRecord, branch: string, log: LogSink): Promise<PushOutcome>;
}

/** The branches whose pushes deploy: the app's deploy branch, and master as an alias of main. */
export function deployBranches(deployBranch: string): string[] {
  return deployBranch === 'main' ? ['main', 'master'] : [deployBranch];
}

/** The receiver asks this for each push, and marks the push `deploy` by it: the rule is applied once. */
export async function deployBranchesOf(sql: Sql, app: AppName): Promise<string[]> {
  return deployBranches((await getApp(sql, app)).deployBranch);
}

export async function handlePush(deps: PushDeps, push: PushRequest, log: LogSink): Promise<PushOutcome> {
  const app = await getApp(deps.sql, push.app);
  const branch = push.ref.startsWith('refs/heads/') ? push.ref.slice('refs/heads/'.length) : undefined;
  const deleting = isZeroId(push.newSha);
  if (push.deploy) {
    if (deleting) return { ok: false, message: `the deploy branch ${branch} cannot be deleted` };
    return outcome(await deployPush(deps, app, push, log));
  }
  if (branch === undefined || !deps.previews) {
    log.line(`Received ${push.ref}; only pushes to ${deployBranches(app.deployBranch).join(' or ')} deploy.`);
    return { ok: true, message: 'received, not deployed' };
  }
  return deleting ? deps.previews.removeBranch(app, branch, log) : deps.previews.deployBranch(app, push, log);
}

/**
 * Deploys a pushed tree to an app (the app itself, or a branch's preview) and follows it to the
 * end; `enqueued` hears of the deployment as soon as it is queued (a preview's commit status).
 */
export async function deployPush(
  deps: EnqueueDeps, app: { id: number; name: string }, push: PushRequest, log: LogSink, enqueued?: (deployment: Deployment) => void,
): Promise<Deployment> {
  const deployment = await enqueueDeployment(deps, app, pushedDeployment(push), (dest) => push.exportTree(dest), push.receivedAt);
  enqueued?.(deployment);
  return followDeployment(deps, deployment.id, log);
}

export function pushedDeployment(push: PushRequest): DeploymentRequest {
  return {
    ref: push.ref, sha: push.newSha, baseSha: isZeroId(push.oldSha) ? null : push.oldSha, trigger: 'push', actor: push.actor,
  };
}

export function outcome(final: Deployment): PushOutcome {
  if (final.state === 'succeeded') return { ok: true, message: `deployed v${final.releaseVersion}` };
  return { ok: false, message: final.reason ?? `deployment ${final.state}` };
}
