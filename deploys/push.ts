/**
 * What a push means. A push to the app's deploy branch becomes a queued deployment whose log
 * streams back to the waiting git client; the push succeeds only if the release goes live. A
 * push to any other branch deploys that branch's preview; deleting the branch removes it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DevflowEvent, EventBus } from '../core/events.js';
import { getApp, type AppRecord } from '../core/store/apps.js';
import { createDeployment, getDeployment, readDeploymentLog } from '../core/store/deployments.js';
import type { Sql } from '../core/store/database.js';
import type { DeployQueue } from '../core/queue.js';
import { TERMINAL_DEPLOYMENT_STATES, type Deployment, type DeploymentTrigger, type LogSink } from '../core/types.js';
import type { PushOutcome, PushRequest } from '../receiver/index.js';
import { sourceTarPath } from '../scheduler/pipeline.js';

const ZERO_SHA = /^0+$/;

export interface PushDeps {
  sql: Sql;
  bus: EventBus;
  queue: DeployQueue;
  home: string;
  /** Branch previews; without it, other branches are received but not deployed. */
  previews?: BranchPreviews;
}

export interface BranchPreviews {
  deployBranch(parent: AppRecord, push: PushRequest, log: LogSink): Promise<PushOutcome>;
  removeBranch(parent: AppRecord, branch: string, log: LogSink): Promise<PushOutcome>;
}

/** The branches whose pushes deploy: the app's deploy branch, and master as an alias of main. */
export function deployBranches(deployBranch: string): string[] {
  return deployBranch === 'main' ? ['main', 'master'] : [deployBranch];
}

export async function handlePush(deps: PushDeps, push: PushRequest, log: LogSink): Promise<PushOutcome> {
  const app = await getApp(deps.sql, push.app);
  const branch = push.ref.startsWith('refs/heads/') ? push.ref.slice('refs/heads/'.length) : undefined;
  const deleting = ZERO_SHA.test(push.newSha);
  if (branch !== undefined && deployBranches(app.deployBranch).includes(branch)) {
    if (deleting) return { ok: false, message: `the deploy branch ${branch} cannot be deleted` };
    const baseSha = ZERO_SHA.test(push.oldSha) ? null : push.oldSha;
    const final = await deployTree(deps, app, { ref: push.ref, sha: push.newSha, baseSha, trigger: 'push', actor: push.actor, sourceTar: push.sourceTar }, log);
    return outcome(final);
  }
  if (branch === undefined || !deps.previews) {
    log.line(`Received ${push.ref}; only pushes to ${deployBranches(app.deployBranch).join(' or ')} deploy.`);
    return { ok: true, message: 'received, not deployed' };
  }
  return deleting ? deps.previews.removeBranch(app, branch, log) : deps.previews.deployBranch(app, push, log);
}

export function outcome(final: Deployment): PushOutcome {
  if (final.state === 'succeeded') return { ok: true, message: `deployed v${final.releaseVersion}` };
  return { ok: false, message: final.reason ?? `deployment ${final.state}` };
}

export interface TreeToDeploy {
  ref: string;
  sha: string;
  baseSha: string | null;
  trigger: DeploymentTrigger;
  /** The name of the token that pushed or called the API. */
  actor: string | null;
  sourceTar: string;
}

/**
 * Queues a deployment of a tree to an app (any older queued one of the app is superseded) and,
 * with a log, follows it to the end; without one, returns as soon as it is queued.
 */
export async function deployTree(deps: PushDeps, app: { id: number; name: string }, tree: TreeToDeploy, log?: LogSink): Promise<Deployment> {
  const { deployment, superseded } = await createDeployment(deps.sql, app, tree);
  for (const id of superseded) {
    await deps.bus.publish({ type: 'deployment.state', deploymentId: id, app: app.name, state: 'superseded', reason: 'a newer push replaced it' });
  }
  const tar = sourceTarPath(deps.home, deployment.id);
  await fs.mkdir(path.dirname(tar), { recursive: true });
  await fs.copyFile(tree.sourceTar, tar);
  const finished = log ? followDeployment(deps, deployment.id, log) : undefined;
  await deps.queue.enqueue({ deploymentId: deployment.id, app: app.name });
  return finished ? finished : deployment;
}

/**
 * Streams a deployment's log lines (exactly once each, in order) until it ends. Lines come from
 * the bus; a periodic look at the store covers any notification lost on a reconnect.
 */
export function followDeployment(deps: Pick<PushDeps, 'sql' | 'bus'>, deploymentId: number, log: LogSink): Promise<Deployment> {
  return new Promise((resolve, reject) => {
    let nextSeq = 0;
    let done = false;
    const emit = (seq: number, line: string) => {
      if (seq !== nextSeq) return false;
      nextSeq++;
      log.line(line);
      return true;
    };
    const catchUp = async () => {
      for (const row of await readDeploymentLog(deps.sql, deploymentId, nextSeq - 1)) emit(row.seq, row.line);
      const current = await getDeployment(deps.sql, deploymentId);
      if (TERMINAL_DEPLOYMENT_STATES.includes(current.state)) finish(current);
    };
    const finish = (deployment: Deployment) => {
      if (done) return;
      done = true;
      unsubscribe();
      clearInterval(timer);
      resolve(deployment);
    };
    const unsubscribe = deps.bus.subscribe((event: DevflowEvent) => {
      if (done || !('deploymentId' in event) || event.deploymentId !== deploymentId) return;
      if (event.type === 'deployment.log' && !emit(event.seq, event.line) && event.seq > nextSeq) void catchUp().catch(reject);
      if (event.type === 'deployment.state' && TERMINAL_DEPLOYMENT_STATES.includes(event.state)) void catchUp().catch(reject);
    });
    const timer = setInterval(() => void catchUp().catch(() => {}), 3000);
    void catchUp().catch(reject);
  });
}
