/** Git host connections, webhook deliveries and preview comments in the store (migration 032, issue 22). */
import type { Sql } from './database.js';

export type GitProvider = 'github' | 'gitea' | 'gitlab';

export interface GitConnectionRecord {
  appId: number;
  url: string;
  branch: string;
  baseDir: string | null;
  provider: GitProvider | null;
  apiUrl: string | null;
  sealedToken: string | null;
  deployPublicKey: string | null;
  sealedDeployKey: string | null;
  /** Tags whose pushes deploy, as a glob (`v*`); null: tag pushes do not deploy (migration 048). */
  tagPattern: string | null;
  /** False when only tags deploy: pushes to the deploy branch are then ignored. */
  branchDeploys: boolean;
  /** known_hosts lines the ssh host must match; null until given or learned on the first fetch. */
  knownHosts: string | null;
  createdAt: Date;
}

interface ConnectionRow {
  app_id: number; url: string; branch: string; base_dir: string | null; provider: GitProvider | null; api_url: string | null;
  sealed_token: string | null; deploy_public_key: string | null; sealed_deploy_key: string | null; created_at: Date;
  tag_pattern: string | null; branch_deploys: boolean; known_hosts: string | null;
}

function toConnection(r: ConnectionRow): GitConnectionRecord {
  return {
    appId: r.app_id, url: r.url, branch: r.branch, baseDir: r.base_dir, provider: r.provider, apiUrl: r.api_url,
    sealedToken: r.sealed_token, deployPublicKey: r.deploy_public_key, sealedDeployKey: r.sealed_deploy_key, createdAt: r.created_at,
    tagPattern: r.tag_pattern, branchDeploys: r.branch_deploys, knownHosts: r.known_hosts,
  };
}

export type NewGitConnection = Omit<GitConnectionRecord, 'appId' | 'createdAt'>;

/** Connecting again replaces the connection (a new URL, branch or credential). */
export async function saveGitConnection(sql: Sql, appId: number, c: NewGitConnection): Promise<GitConnectionRecord> {
  const [row] = await sql<ConnectionRow[]>`
    INSERT INTO git_connections (app_id, url, branch, base_dir, provider, api_url, sealed_token, deploy_public_key, sealed_deploy_key,
      tag_pattern, branch_deploys, known_hosts)
    VALUES (${appId}, ${c.url}, ${c.branch}, ${c.baseDir}, ${c.provider}, ${c.apiUrl}, ${c.sealedToken}, ${c.deployPublicKey}, ${c.sealedDeployKey},
      ${c.tagPattern}, ${c.branchDeploys}, ${c.knownHosts})
    ON CONFLICT (app_id) DO UPDATE SET url = EXCLUDED.url, branch = EXCLUDED.branch, base_dir = EXCLUDED.base_dir,
      provider = EXCLUDED.provider, api_url = EXCLUDED.api_url, sealed_token = EXCLUDED.sealed_token,
      deploy_public_key = EXCLUDED.deploy_public_key, sealed_deploy_key = EXCLUDED.sealed_deploy_key,
      tag_pattern = EXCLUDED.tag_pattern, branch_deploys = EXCLUDED.branch_deploys, known_hosts = EXCLUDED.known_hosts, updated_at = now()
    RETURNING *`;
  return toConnection(row!);
}

export async function findGitConnection(sql: Sql, appId: number): Promise<GitConnectionRecord | undefined> {
  const [row] = await sql<ConnectionRow[]>`SELECT * FROM git_connections WHERE app_id = ${appId}`;
  return row ? toConnection(row) : undefined;
}

/** The host named by the first signed delivery, when the connection did not say. */
export async function setGitProvider(sql: Sql, appId: number, provider: GitProvider): Promise<void> {
  await sql`UPDATE git_connections SET provider = ${provider} WHERE app_id = ${appId} AND provider IS NULL`;
}

/** The ssh host keys learned on a connection's first fetch; kept only if none were pinned meanwhile. */
export async function pinKnownHosts(sql: Sql, appId: number, knownHosts: string): Promise<void> {
  await sql`UPDATE git_connections SET known_hosts = ${knownHosts} WHERE app_id = ${appId} AND known_hosts IS NULL`;
}

export async function deleteGitConnection(sql: Sql, appId: number): Promise<boolean> {
  const rows = await sql`DELETE FROM git_connections WHERE app_id = ${appId} RETURNING app_id`;
  return rows.length > 0;
}

export type DeliveryResult = 'ignored' | 'deploying' | 'deployed' | 'failed' | 'superseded';

export interface GitDelivery {
  id: number;
  deliveryId: string;
  provider: string;
  event: string;
  ref: string | null;
  sha: string | null;
  result: DeliveryResult;
  detail: string;
  deploymentId: number | null;
  receivedAt: Date;
}

interface DeliveryRow {
  id: string; delivery_id: string; provider: string; event: string; ref: string | null; sha: string | null; result: DeliveryResult;
  detail: string; deployment_id: number | null; received_at: Date;
}

/** Records a delivery with what was decided; undefined when this id was already received for the app (a replay). */
export async function recordDelivery(
  sql: Sql, appId: number,
  d: { deliveryId: string; provider: string; event: string; ref: string | null; sha: string | null; result: DeliveryResult; detail: string },
): Promise<number | undefined> {
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO git_deliveries (app_id, delivery_id, provider, event, ref, sha, result, detail)
    VALUES (${appId}, ${d.deliveryId}, ${d.provider}, ${d.event}, ${d.ref}, ${d.sha}, ${d.result}, ${d.detail})
    ON CONFLICT (app_id, delivery_id) DO NOTHING RETURNING id`;
  return row ? Number(row.id) : undefined;
}

export async function setDeliveryResult(sql: Sql, id: number, result: DeliveryResult, detail: string, deploymentId: number | null = null): Promise<void> {
  await sql`UPDATE git_deliveries SET result = ${result}, detail = ${detail}, deployment_id = COALESCE(${deploymentId}, deployment_id) WHERE id = ${id}`;
}

/**
 * True when a later push delivery of the app asked for a deploy (of the deploy branch or of a
 * deploying tag: both replace the app's release): this one is superseded.
 */
export async function hasNewerDeployDelivery(sql: Sql, appId: number, id: number): Promise<boolean> {
  const [row] = await sql`SELECT 1 FROM git_deliveries WHERE app_id = ${appId} AND id > ${id} AND event = 'push' AND result <> 'ignored' LIMIT 1`;
  return row !== undefined;
}

export async function listDeliveries(sql: Sql, appId: number, limit = 20): Promise<GitDelivery[]> {
  const rows = await sql<DeliveryRow[]>`SELECT * FROM git_deliveries WHERE app_id = ${appId} ORDER BY id DESC LIMIT ${limit}`;
  return rows.map((r) => ({
    id: Number(r.id), deliveryId: r.delivery_id, provider: r.provider, event: r.event, ref: r.ref, sha: r.sha, result: r.result, detail: r.detail,
    deploymentId: r.deployment_id, receivedAt: r.received_at,
  }));
}

export async function findPrComment(sql: Sql, appId: number, pr: number): Promise<string | undefined> {
  const [row] = await sql<{ comment_id: string }[]>`SELECT comment_id FROM git_pr_comments WHERE app_id = ${appId} AND pr_number = ${pr}`;
  return row?.comment_id;
}

export async function savePrComment(sql: Sql, appId: number, pr: number, commentId: string): Promise<void> {
  await sql`INSERT INTO git_pr_comments (app_id, pr_number, comment_id) VALUES (${appId}, ${pr}, ${commentId})
    ON CONFLICT (app_id, pr_number) DO UPDATE SET comment_id = EXCLUDED.comment_id`;
}

/** Appends a line to a deployment's log after it ended (reports to the host that failed). */
export async function appendLogLine(sql: Sql, deploymentId: number, line: string): Promise<void> {
  await sql`INSERT INTO deployment_logs (deployment_id, seq, line)
    SELECT ${deploymentId}, COALESCE(max(seq), -1) + 1, ${line} FROM deployment_logs WHERE deployment_id = ${deploymentId}`;
}
