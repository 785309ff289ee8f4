/**
 * Apps with what a list view shows beside the name: the state of the latest deployment, paged by
 * name (`after`), in one query so that listing 100 apps costs one round trip.
 */
import type { AppName } from '../names.js';
import type { DeploymentState } from '../types.js';
import type { AppRecord } from './apps.js';
import type { Sql } from './database.js';

export interface AppSummary extends AppRecord {
  /** The team that owns the app (issue 19). */
  team: string;
  lastDeployment: { id: number; state: DeploymentState; createdAt: Date } | null;
}

interface Row {
  id: number;
  name: string;
  deploy_branch: string;
  current_release: number | null;
  created_at: Date;
  team: string;
  d_id: number | null;
  d_state: DeploymentState | null;
  d_created_at: Date | null;
}

/** `teams`: only apps of these team ids (a caller's teams, issue 19); all when absent. */
export async function pageAppSummaries(sql: Sql, page: { limit: number; after?: string; only?: AppName; teams?: number[]; apps?: readonly number[] | null }): Promise<AppSummary[]> {
  const rows = await sql<Row[]>`
    SELECT a.id, a.name, a.deploy_branch, a.current_release, a.created_at, t.name AS team,
           d.id AS d_id, d.state AS d_state, d.created_at AS d_created_at
    FROM apps a JOIN teams t ON t.id = a.team_id
    LEFT JOIN LATERAL (
      SELECT id, state, created_at FROM deployments WHERE app_id = a.id ORDER BY id DESC LIMIT 1
    ) d ON true
    WHERE ${page.after === undefined ? sql`true` : sql`a.name > ${page.after}`}
      AND ${page.only === undefined ? sql`true` : sql`a.name = ${page.only}`}
      AND ${page.teams === undefined ? sql`true` : sql`a.team_id = ANY(${page.teams})`}
      AND ${page.apps == null ? sql`true` : sql`a.id = ANY(${[...page.apps]})`}
      AND a.parent_id IS NULL
    ORDER BY a.name LIMIT ${page.limit}`;
  return rows.map((r) => ({
    id: r.id,
    name: r.name as AppName,
    deployBranch: r.deploy_branch,
    currentRelease: r.current_release,
    parentId: null,
    createdAt: r.created_at,
    team: r.team,
    lastDeployment: r.d_id === null ? null : { id: r.d_id, state: r.d_state!, createdAt: r.d_created_at! },
  }));
}
