/** Releases: immutable snapshots of a build and its config, numbered v1, v2, … per app. */
import { NotFoundError } from '../errors.js';
import type { AppName } from '../names.js';
import type { Artifact, HealthcheckSpec, Release, ReleaseState } from '../types.js';
import type { Sql } from './database.js';

interface ReleaseRow {
  id: number;
  app: string;
  version: number;
  deployment_id: number | null;
  sha: string | null;
  artifact: Artifact;
  config: Record<string, string>;
  description: string;
  created_at: Date;
  actor: string;
  state: ReleaseState;
  failure_reason: string | null;
  artifact_removed_at: Date | null;
}

function toRelease(row: ReleaseRow): Release {
  return {
    id: row.id,
    app: row.app as AppName,
    version: row.version,
    deploymentId: row.deployment_id,
    sha: row.sha,
    artifact: row.artifact,
    config: row.config,
    description: row.description,
    createdAt: row.created_at,
    actor: row.actor,
    state: row.state,
    failureReason: row.failure_reason,
    artifactRemoved: row.artifact_removed_at !== null,
  };
}

export async function createRelease(
  sql: Sql,
  input: {
    appId: number; deploymentId: number | null; sha: string | null; artifact: Artifact; config: Record<string, string>;
    description: string; actor?: string;
  },
): Promise<Release> {
  return sql.begin(async (tx) => {
    // Serialise version numbering per app without a table lock.
    await tx`SELECT id FROM apps WHERE id = ${input.appId} FOR UPDATE`;
    const [next] = await tx<{ v: number }[]>`
      SELECT COALESCE(MAX(version), 0) + 1 AS v FROM releases WHERE app_id = ${input.appId}`;
    const [row] = await tx<{ id: number }[]>`
      INSERT INTO releases (app_id, version, deployment_id, sha, artifact, config, description, actor, state)
      VALUES (${input.appId}, ${next!.v}, ${input.deploymentId}, ${input.sha},
              ${tx.json(input.artifact as never)}, ${tx.json(input.config)}, ${input.description},
              ${input.actor ?? 'admin'}, 'pending')
      RETURNING id`;
    return getReleaseById(tx as unknown as Sql, row!.id);
  });
}

async function getReleaseById(sql: Sql, id: number): Promise<Release> {
  const rows = await sql<ReleaseRow[]>`
    SELECT r.*, a.name AS app FROM releases r JOIN apps a ON a.id = r.app_id WHERE r.id = ${id}`;
  return toRelease(rows[0]!);
}

export async function getRelease(sql: Sql, appId: number, version: number): Promise<Release> {
  const rows = await sql<ReleaseRow[]>`
    SELECT r.*, a.name AS app FROM releases r JOIN apps a ON a.id = r.app_id
    WHERE r.app_id = ${appId} AND r.version = ${version}`;
  if (!rows[0]) throw new NotFoundError(`release v${version} does not exist`);
  return toRelease(rows[0]);
}

export async function listReleases(sql: Sql, appId: number, limit = 50): Promise<Release[]> {
  const rows = await sql<ReleaseRow[]>`
    SELECT r.*, a.name AS app FROM releases r JOIN apps a ON a.id = r.app_id
    WHERE r.app_id = ${appId} ORDER BY r.version DESC LIMIT ${limit}`;
  return rows.map(toRelease);
}

/** The app.json web health checks of each app's current release, by app id; apps without any are absent. */
export async function currentReleaseHealthchecks(sql: Sql): Promise<Map<number, HealthcheckSpec[]>> {
  const rows = await sql<Array<{ app_id: number; checks: HealthcheckSpec[] }>>`
    SELECT a.id AS app_id, r.artifact->'healthchecks' AS checks
    FROM apps a JOIN releases r ON r.app_id = a.id AND r.version = a.current_release
    WHERE jsonb_typeof(r.artifact->'healthchecks') = 'array' AND jsonb_array_length(r.artifact->'healthchecks') > 0`;
  return new Map(rows.map((row) => [row.app_id, row.checks]));
}
