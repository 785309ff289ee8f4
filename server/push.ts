/**
 * What a push means: a push to the app's deploy branch becomes a queued deployment whose
 * log streams back to the waiting git client; the push succeeds only if the release goes live.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DevflowEvent, EventBus } from '../core/events.js';
import { getApp } from '../core/store/apps.js';
import { createDeployment, getDeployment, readDeploymentLog } from '../core/store/deployments.js';
import type { Sql } from '../core/store/database.js';
import type { DeployQueue } from '../core/queue.js';
import { TERMINAL_DEPLOYMENT_STATES, type Deployment, type LogSink } from '../core/types.js';
import type { PushOutcome, PushRequest } from '../receiver/index.js';
import { sourceTarPath } from '../scheduler/pipeline.js';

const ZERO_SHA = /^0+$/;

export interface PushDeps {
  sql: Sql;
  bus: EventBus;
  queue: DeployQueue;
  home: string;
}

/** The branches whose pushes deploy: the app's deploy branch, and master as an alias of main. */
export function deployBranches(deployBranch: string): string[] {
  return deployBranch === 'main' ? ['main', 'master'] : [deployBranch];
}

export async function handlePush(deps: PushDeps, push: PushRequest, log: LogSink): Promise<PushOutcome> {
  const app = await getApp(deps.sql, push.app);
  const branch = push.ref.startsWith('refs/heads/') ? push.ref.slice('refs/heads/'.length) : undefined;
  if (branch === undefined || !deployBranches(app.deployBranch).includes(branch)) {
    log.line(`Received ${push.ref}; only pushes to ${deployBranches(app.deployBranch).join(' or ')} deploy.`);
    return { ok: true, message: 'received, not deployed' };
  }
  if (ZERO_SHA.test(push.newSha)) {
    return { ok: false, message: `the deploy branch ${branch} cannot be deleted` };
  }
  const baseSha = ZERO_SHA.test(push.oldSha) ? null : push.oldSha;
  const { deployment, superseded } = await createDeployment(deps.sql, app, push.ref, push.newSha, baseSha);
  for (const id of superseded) {
    await deps.bus.publish({ type: 'deployment.state', deploymentId: id, app: app.name, state: 'superseded', reason: 'a newer push replaced it' });
  }
  const tar = sourceTarPath(deps.home, deployment.id);
  await fs.mkdir(path.dirname(tar), { recursive: true });
  await fs.copyFile(push.sourceTar, tar);
  const finished = followDeployment(deps, deployment.id, log);
  await deps.queue.enqueue({ deploymentId: deployment.id, app: app.name });
  const final = await finished;
  if (final.state === 'succeeded') return { ok: true, message: `deployed v${final.releaseVersion}` };
  return { ok: false, message: final.reason ?? `deployment ${final.state}` };
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
