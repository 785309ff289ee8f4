/** Apps in the store. Names arrive already parsed (AppName). */
import { ConflictError, NotFoundError } from '../errors.js';
import type { AppName } from '../names.js';
import type { App } from '../types.js';
import type { Sql } from './database.js';

interface AppRow {
  id: number;
  name: string;
  deploy_branch: string;
  current_release: number | null;
  parent_id: number | null;
  created_at: Date;
}

export interface AppRecord extends App {
  currentRelease: number | null;
  /** Set for previews (issue 6): the app whose branch or pull request this preview runs. */
  parentId: number | null;
}

function toApp(row: AppRow): AppRecord {
  return {
    id: row.id,
    name: row.name as AppName,
    deployBranch: row.deploy_branch,
    currentRelease: row.current_release,
    parentId: row.parent_id ?? null,
    createdAt: row.created_at,
  };
}

export async function createApp(sql: Sql, name: AppName): Promise<AppRecord> {
  const rows = await sql<AppRow[]>`
    INSERT INTO apps (name) VALUES (${name}) ON CONFLICT (name) DO NOTHING RETURNING *`;
  if (rows.length === 0) throw new ConflictError(`app "${name}" already exists`);
  await sql`INSERT INTO formation (app_id, process_type, replicas) VALUES (${rows[0]!.id}, 'web', 1)`;
  return toApp(rows[0]!);
}

export async function findApp(sql: Sql, name: AppName): Promise<AppRecord | undefined> {
  const rows = await sql<AppRow[]>`SELECT * FROM apps WHERE name = ${name}`;
  return rows[0] ? toApp(rows[0]) : undefined;
}

export async function getApp(sql: Sql, name: AppName): Promise<AppRecord> {
  const app = await findApp(sql, name);
  if (!app) throw new NotFoundError(`app "${name}" does not exist: create it with \`devflow apps:create ${name}\``);
  return app;
}

export async function listApps(sql: Sql): Promise<AppRecord[]> {
  const rows = await sql<AppRow[]>`SELECT * FROM apps ORDER BY name`;
  return rows.map(toApp);
}

export async function deleteApp(sql: Sql, name: AppName): Promise<void> {
  const rows = await sql`DELETE FROM apps WHERE name = ${name} RETURNING id`;
  if (rows.length === 0) throw new NotFoundError(`app "${name}" does not exist`);
}

export async function setCurrentRelease(sql: Sql, appId: number, version: number): Promise<void> {
  await sql`UPDATE apps SET current_release = ${version} WHERE id = ${appId}`;
}

export async function getConfigVars(sql: Sql, appId: number): Promise<Record<string, string>> {
  const rows = await sql<{ key: string; value: string }[]>`
    SELECT key, value FROM config_vars WHERE app_id = ${appId} ORDER BY key`;
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export interface FormationEntry {
  processType: string;
  replicas: number;
  size: string;
}

export async function getFormation(sql: Sql, appId: number): Promise<FormationEntry[]> {
  const rows = await sql<{ process_type: string; replicas: number; size: string }[]>`
    SELECT process_type, replicas, size FROM formation WHERE app_id = ${appId} ORDER BY process_type`;
  return rows.map((r) => ({ processType: r.process_type, replicas: r.replicas, size: r.size }));
}
