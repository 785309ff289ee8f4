/**
 * Deployments and their logs. A deployment moves through explicit states; `nextState`
 * is the one transition function, and the SQL updates only move along its edges.
 */
import { NotFoundError } from '../errors.js';
import type { AppName } from '../names.js';
import type { Deployment, DeploymentState, DeploymentTrigger } from '../types.js';
import type { Sql } from './database.js';

const TRANSITIONS: Record<DeploymentState, readonly DeploymentState[]> = {
  queued: ['building', 'superseded', 'failed'],
  building: ['releasing', 'failed'],
  releasing: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
  superseded: [],
};

export function canTransition(from: DeploymentState, to: DeploymentState): boolean {
  return TRANSITIONS[from].includes(to);
}

interface DeploymentRow {
  id: number;
  app: string;
  ref: string;
  sha: string;
  base_sha: string | null;
  trigger: DeploymentTrigger;
  actor: string | null;
  state: DeploymentState;
  reason: string | null;
  release_version: number | null;
  created_at: Date;
  updated_at: Date;
}

function toDeployment(row: DeploymentRow): Deployment {
  return {
    id: row.id,
    app: row.app as AppName,
    ref: row.ref,
    sha: row.sha,
    baseSha: row.base_sha,
    trigger: row.trigger,
    actor: row.actor,
    state: row.state,
    reason: row.reason,
    releaseVersion: row.release_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Records a new deployment; any older deployment of the app still waiting in the queue is
 * superseded by it, so a burst of pushes builds only the newest commit.
 */
export interface NewDeployment {
  ref: string;
  sha: string;
  /** The branch head the pusher's git saw; null when unknown or when the branch is new. */
  baseSha?: string | null;
  trigger?: DeploymentTrigger;
  /** The name of the token that asked for the deployment. */
  actor?: string | null;
}

/** Why a queued deployment was superseded: stored with it and sent with its event. */
export const SUPERSEDED_REASON = 'a newer push replaced it before it started';

export async function createDeployment(
  sql: Sql,
  app: { id: number },
  { ref, sha, baseSha = null, trigger = 'push', actor = null }: NewDeployment,
): Promise<{ deployment: Deployment; superseded: number[] }> {
  return sql.begin(async (tx) => {
    const old = await tx<{ id: number }[]>`
      UPDATE deployments SET state = 'superseded', reason = ${SUPERSEDED_REASON},
        updated_at = now()
      WHERE app_id = ${app.id} AND state = 'queued' RETURNING id`;
    const [row] = await tx<{ id: number }[]>`
      INSERT INTO deployments (app_id, ref, sha, base_sha, trigger, actor)
      VALUES (${app.id}, ${ref}, ${sha}, ${baseSha}, ${trigger}, ${actor}) RETURNING id`;
    const deployment = await getDeploymentIn(tx as unknown as Sql, row!.id);
    return { deployment, superseded: old.map((r) => r.id) };
  });
}

export async function getDeployment(sql: Sql, id: number): Promise<Deployment> {
  return getDeploymentIn(sql, id);
}

async function getDeploymentIn(sql: Sql, id: number): Promise<Deployment> {
  const rows = await sql<DeploymentRow[]>`
    SELECT d.*, a.name AS app FROM deployments d JOIN apps a ON a.id = d.app_id WHERE d.id = ${id}`;
  if (!rows[0]) throw new NotFoundError(`deployment ${id} does not exist`);
  return toDeployment(rows[0]);
}

/** Newest first; `beforeId` pages back through older ones. */
export async function listDeployments(sql: Sql, appId: number, limit = 50, beforeId?: number): Promise<Deployment[]> {
  const rows = await sql<DeploymentRow[]>`
    SELECT d.*, a.name AS app FROM deployments d JOIN apps a ON a.id = d.app_id
    WHERE d.app_id = ${appId} ${beforeId === undefined ? sql`` : sql`AND d.id < ${beforeId}`}
    ORDER BY d.id DESC LIMIT ${limit}`;
  return rows.map(toDeployment);
}

/**
 * Moves a deployment from one state to another; returns false when it was no longer in
 * `from` (for example superseded meanwhile), so callers never overwrite a newer decision.
 */
export async function transitionDeployment(
  sql: Sql,
  id: number,
  from: DeploymentState,
  to: DeploymentState,
  details: { reason?: string; releaseVersion?: number } = {},
): Promise<boolean> {
  if (!canTransition(from, to)) throw new Error(`invalid deployment transition ${from} -> ${to}`);
  const rows = await sql`
    UPDATE deployments SET state = ${to}, updated_at = now(),
      reason = COALESCE(${details.reason ?? null}, reason),
      release_version = COALESCE(${details.releaseVersion ?? null}, release_version)
    WHERE id = ${id} AND state = ${from} RETURNING id`;
  return rows.length === 1;
}

/** The app's deployments that have not started releasing yet (queued or building), oldest first. */
export async function unreleasedDeploymentIds(sql: Sql, appId: number): Promise<number[]> {
  const rows = await sql<{ id: number }[]>`
    SELECT id FROM deployments WHERE app_id = ${appId} AND state IN ('queued', 'building') ORDER BY id`;
  return rows.map((r) => r.id);
}

/** Deployments left mid-way by a DevFlow that was killed: they can never finish. */
export async function failInterruptedDeployments(sql: Sql): Promise<number> {
  const rows = await sql`
    UPDATE deployments SET state = 'failed', reason = 'interrupted: DevFlow stopped during this deployment',
      updated_at = now()
    WHERE state IN ('building', 'releasing') RETURNING id`;
  return rows.length;
}

export async function appendDeploymentLog(sql: Sql, id: number, seq: number, line: string): Promise<void> {
  await sql`INSERT INTO deployment_logs (deployment_id, seq, line) VALUES (${id}, ${seq}, ${line})`;
}

export async function readDeploymentLog(sql: Sql, id: number, afterSeq = -1): Promise<{ seq: number; line: string }[]> {
  return sql<{ seq: number; line: string }[]>`
    SELECT seq, line FROM deployment_logs WHERE deployment_id = ${id} AND seq > ${afterSeq} ORDER BY seq`;
}

/**
 * The commit a branch was last deployed from by a push, or null. Failed pushes never moved
 * the branch (git rejected them), so only succeeded deployments count.
 */
export async function lastDeployedSha(sql: Sql, appId: number, ref: string): Promise<string | null> {
  const rows = await sql<{ sha: string }[]>`
    SELECT sha FROM deployments WHERE app_id = ${appId} AND ref = ${ref} AND state = 'succeeded'
    ORDER BY id DESC LIMIT 1`;
  return rows[0]?.sha ?? null;
}
