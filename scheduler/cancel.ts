/**
 * Cancelling a deployment (`devflow deployments:cancel`, POST /apps/{app}/deployments/{id}/cancel).
 * A queued one is failed at once, so it never builds. A building one is told over the event bus
 * (the DevFlow process running it may be another replica); its build is then stopped as at its
 * time limit (build-deadline.ts): every process it started ends, the push is refused with the
 * reason, the running release keeps serving. A release in progress is not cut halfway: it is
 * live moments later, and a rollback undoes it.
 */
import { ConflictError, NotFoundError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { AppName } from '../core/names.js';
import type { Sql } from '../core/store/database.js';
import { getDeployment, transitionDeployment, unreleasedDeploymentIds } from '../core/store/deployments.js';
import type { Deployment, DeploymentState } from '../core/types.js';

/** How long the request waits for a building deployment to end once told. */
const CANCEL_WAIT_MS = 30_000;
const POLL_MS = 100;

/** The reason a cancelled deployment keeps, as its pusher reads it (pure). */
export function cancelledReason(actor: string): string {
  return `cancelled by ${actor} (devflow deployments:cancel)`;
}

export type CancelStep = { kind: 'fail-queued' } | { kind: 'stop-build' } | { kind: 'refuse'; message: string };

/** What cancelling does to a deployment in this state (pure). */
export function planCancel(id: number, state: DeploymentState, releaseVersion: number | null): CancelStep {
  switch (state) {
    case 'queued':
      return { kind: 'fail-queued' };
    case 'building':
      return { kind: 'stop-build' };
    case 'releasing':
      return { kind: 'refuse', message: `deployment ${id} is already releasing: a release is not stopped halfway; once it is live, \`devflow rollback\` undoes it` };
    case 'succeeded':
      return { kind: 'refuse', message: `deployment ${id} already succeeded${releaseVersion === null ? '' : ` (v${releaseVersion})`}: \`devflow rollback\` undoes it` };
    case 'failed':
    case 'superseded':
      return { kind: 'refuse', message: `deployment ${id} already ended (${state}): there is nothing to cancel` };
    default: {
      const never: never = state;
      throw new Error(`unknown deployment state ${String(never)}`);
    }
  }
}

export interface CancelDeps {
  sql: Sql;
  bus: EventBus;
}

/**
 * Cancels the deployment and returns it as it ended (or, told but not yet ended, as it is);
 * `reason` is what its push and its record say (cancelledReason, or the app being destroyed).
 */
export async function cancelDeployment(deps: CancelDeps, app: AppName, id: number, reason: string): Promise<Deployment> {
  for (;;) {
    const deployment = await getDeployment(deps.sql, id);
    if (deployment.app !== app) throw new NotFoundError(`deployment ${id} is not one of ${app}'s: \`devflow deployments ${app}\` lists them`);
    const step = planCancel(id, deployment.state, deployment.releaseVersion);
    if (step.kind === 'refuse') throw new ConflictError(step.message);
    if (step.kind === 'fail-queued') {
      // The queue's worker may take it at this moment: whichever moves it from queued first wins.
      if (!(await transitionDeployment(deps.sql, id, 'queued', 'failed', { reason }))) continue;
      await deps.bus.publish({ type: 'deployment.state', deploymentId: id, app, state: 'failed', reason, releaseVersion: null });
      return getDeployment(deps.sql, id);
    }
    await deps.bus.publish({ type: 'deployment.cancel', deploymentId: id, app, reason });
    const after = await waitWhileBuilding(deps.sql, id);
    // Its build had ended as the cancel came: it went on to its release, which is not cut.
    if (after.state === 'releasing' || after.state === 'succeeded') {
      throw new ConflictError(`deployment ${id} had finished building when the cancel came and is ${after.state} now; once it is live, \`devflow rollback\` undoes it`);
    }
    return after;
  }
}

/**
 * Cancels every queued or building deployment of the app (apps:destroy: none of them may start
 * instances of an app that is going). One that moved on meanwhile is left to its own end.
 */
export async function cancelInProgress(deps: CancelDeps, app: { id: number; name: AppName }, reason: string): Promise<void> {
  for (const id of await unreleasedDeploymentIds(deps.sql, app.id)) {
    await cancelDeployment(deps, app.name, id, reason).catch((err: unknown) => {
      if (!(err instanceof ConflictError)) throw err;
    });
  }
}

async function waitWhileBuilding(sql: Sql, id: number): Promise<Deployment> {
  const deadline = Date.now() + CANCEL_WAIT_MS;
  for (;;) {
    const deployment = await getDeployment(sql, id);
    if (deployment.state !== 'building' || Date.now() > deadline) return deployment;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * A signal that aborts when this deployment is cancelled (the event may come from any DevFlow
 * process), with the cancel's reason; `stop()` stops listening.
 */
export function cancelSignal(bus: EventBus, deploymentId: number): { signal: AbortSignal; stop(): void } {
  const controller = new AbortController();
  const stop = bus.subscribe((event) => {
    if (event.type === 'deployment.cancel' && event.deploymentId === deploymentId) controller.abort(new CancelledError(event.reason));
  });
  return { signal: controller.signal, stop };
}

/** Thrown by a build that was cancelled: its message is the reason as the pusher reads it. */
export class CancelledError extends Error {}
