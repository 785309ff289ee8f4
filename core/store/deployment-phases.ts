/**
 * How long each phase of a deployment took (issue 15), one row per phase. The scheduler times
 * the phases (scheduler/phase-clock.ts); the API and `devflow deployments:log` show them.
 */
import type { Sql } from './database.js';

/**
 * In the order a deployment passes them. `receive` runs from a push's upload reaching DevFlow to
 * the deployment being recorded (pushes only); `queue` is the wait between that and the build's
 * start; `retire` (draining and stopping the previous release's instances) runs after the
 * deployment succeeded and the push returned. `first-request` is the first request the embedded
 * router relayed from the new release (router/tracing/first-request.ts, stored per release in
 * release_first_requests, migration 091): it never holds a deployment open, and is missing until
 * a request comes (or for good, behind Traefik, which DevFlow does not see).
 */
export const DEPLOYMENT_PHASES = ['receive', 'queue', 'export', 'build', 'release-phase', 'start', 'health', 'switch', 'retire', 'first-request'] as const;
export type DeploymentPhase = (typeof DEPLOYMENT_PHASES)[number];

export interface PhaseTiming {
  phase: DeploymentPhase;
  startedAt: Date;
  ms: number;
}

/** Records timings; a phase recorded again (a retried write) keeps its latest figure. */
export async function saveDeploymentPhases(sql: Sql, deploymentId: number, timings: readonly PhaseTiming[]): Promise<void> {
  for (const t of timings) {
    await sql`
      INSERT INTO deployment_phases (deployment_id, phase, started_at, duration_ms)
      VALUES (${deploymentId}, ${t.phase}, ${t.startedAt}, ${Math.max(0, Math.round(t.ms))})
      ON CONFLICT (deployment_id, phase) DO UPDATE SET started_at = EXCLUDED.started_at, duration_ms = EXCLUDED.duration_ms`;
  }
}

/** The timed phases and, once served, the release's first request; in the order they began. */
export async function listDeploymentPhases(sql: Sql, deploymentId: number): Promise<PhaseTiming[]> {
  const rows = await sql<{ phase: DeploymentPhase; started_at: Date; duration_ms: number }[]>`
    SELECT phase, started_at, duration_ms FROM deployment_phases WHERE deployment_id = ${deploymentId}
    UNION ALL
    SELECT 'first-request', f.started_at, f.duration_ms FROM releases r
    JOIN release_first_requests f ON f.app_id = r.app_id AND f.release_version = r.version
    WHERE r.deployment_id = ${deploymentId}
    ORDER BY started_at, phase`;
  return rows.map((r) => ({ phase: r.phase, startedAt: r.started_at, ms: r.duration_ms }));
}
