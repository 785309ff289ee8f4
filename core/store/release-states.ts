/**
 * What happens to releases after they are made (issue 4): a rollout marks them succeeded or
 * failed, and retention records that a release's image or slug was removed.
 */
import type { Sql } from './database.js';

export async function markReleaseSucceeded(sql: Sql, appId: number, version: number): Promise<void> {
  await sql`UPDATE releases SET state = 'succeeded', failure_reason = NULL WHERE app_id = ${appId} AND version = ${version}`;
}

export async function markReleaseFailed(sql: Sql, appId: number, version: number, reason: string): Promise<void> {
  await sql`UPDATE releases SET state = 'failed', failure_reason = ${reason} WHERE app_id = ${appId} AND version = ${version}`;
}

export async function markArtifactRemoved(sql: Sql, appId: number, versions: number[]): Promise<void> {
  if (versions.length === 0) return;
  await sql`UPDATE releases SET artifact_removed_at = now()
    WHERE app_id = ${appId} AND version = ANY(${versions}) AND artifact_removed_at IS NULL`;
}
