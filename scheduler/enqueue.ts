/**
 * The one way a deployment enters the scheduler, whatever asked for it (a push to the deploy
 * branch, a preview branch, a pull-request webhook, the API): record it (older queued ones of
 * the app are superseded), have the source tree written where the build will read it, and queue
 * the job; every caller's deployment publishes the same events. `followDeployment` streams a
 * deployment's log to whoever waits for it (a `git push`, `devflow deploy`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DevflowEvent, EventBus } from '../core/events.js';
import { errorMessage } from '../core/errors.js';
import type { DeployQueue } from '../core/queue.js';
import type { Sql } from '../core/store/database.js';
import {
  SUPERSEDED_REASON, createDeployment, getDeployment, readDeploymentLog, transitionDeployment, type NewDeployment,
} from '../core/store/deployments.js';
import { saveDeploymentPhases } from '../core/store/deployment-phases.js';
import { TERMINAL_DEPLOYMENT_STATES, type Deployment, type LogSink } from '../core/types.js';
import { sourceTarPath } from './pipeline.js';

export interface EnqueueDeps {
  sql: Sql;
  bus: EventBus;
  queue: DeployQueue;
  home: string;
}

/** What to deploy: the commit, where it came from and who asked. */
export type DeploymentRequest = Required<NewDeployment>;

/** Writes the source tree (a tar, `git archive` format) to the path the build reads it from. */
export type WriteSource = (dest: string) => Promise<void>;

/**
 * `receivedAt`: when a push's upload reached DevFlow. From then until the deployment is recorded
 * (git unpacking the objects, the pre-receive hook starting and calling back) is the `receive`
 * phase, stored with the deployment's other phases (issue 15).
 */
export async function enqueueDeployment(
  deps: EnqueueDeps, app: { id: number; name: string }, request: DeploymentRequest, writeSource: WriteSource,
  receivedAt?: Date,
): Promise<Deployment> {
  const { deployment, superseded } = await createDeployment(deps.sql, app, request);
  if (receivedAt) {
    const ms = deployment.createdAt.getTime() - receivedAt.getTime();
    await saveDeploymentPhases(deps.sql, deployment.id, [{ phase: 'receive', startedAt: receivedAt, ms }]);
  }
  for (const id of superseded) {
    await deps.bus.publish({ type: 'deployment.state', deploymentId: id, app: app.name, state: 'superseded', reason: SUPERSEDED_REASON });
  }
  const tar = sourceTarPath(deps.home, deployment.id);
  try {
    await fs.mkdir(path.dirname(tar), { recursive: true });
    await writeSource(tar);
  } catch (err) {
    const reason = `the source could not be exported: ${errorMessage(err)}`;
    if (await transitionDeployment(deps.sql, deployment.id, 'queued', 'failed', { reason })) {
      await deps.bus.publish({ type: 'deployment.state', deploymentId: deployment.id, app: app.name, state: 'failed', reason });
    }
    throw err;
  }
  await deps.bus.publish({ type: 'deployment.state', deploymentId: deployment.id, app: app.name, state: 'queued' });
  await deps.queue.enqueue({ deploymentId: deployment.id, app: app.name });
  return deployment;
}

/**
 * Streams a deployment's log lines (exactly once each, in order) until it ends. Lines come from
 * the bus; a periodic look at the store covers any notification lost on a reconnect.
 */
export function followDeployment(deps: Pick<EnqueueDeps, 'sql' | 'bus'>, deploymentId: number, log: LogSink): Promise<Deployment> {
  return new Promise((resolve, reject) => {
    let nextSeq = 0;
    let done = false;
    const emit = (seq: number, line: string) => {
      if (seq !== nextSeq) return false;
      nextSeq++;
      log.line(line);
      return true;
    };
    // The state is read before the log: every line is stored before the deployment ends, so once
    // the state read is terminal, the log read after it holds the last line. Read the other way
    // round, lines stored and the end reached between the two reads were lost when their
    // notifications arrived after the end (the push's `remote:` output missed them).
    const catchUp = async () => {
      const current = await getDeployment(deps.sql, deploymentId);
      for (const row of await readDeploymentLog(deps.sql, deploymentId, nextSeq - 1)) emit(row.seq, row.line);
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
    // A fallback poll: it must not keep a stopping DevFlow alive (git host reports follow deployments in the background).
    timer.unref();
    void catchUp().catch(reject);
  });
}
