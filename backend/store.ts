/**
 * The control-plane rows of backend projects (migration 016): keys sealed at rest with the
 * platform key (core/secrets.ts), the local-development switch, auth settings a project
 * changed, and which provisioning version its database has.
 */
import { openSecret, sealSecret, type SecretKey } from '../core/secrets.js';
import type { Sql } from '../core/store/database.js';
import type { AuthSettings, ProjectKeys, SigningKey } from './contract.js';

export interface BackendRecord {
  appId: number;
  keys: ProjectKeys & { signingKey: SigningKey };
  /** Keyless requests are served as `anon` (the Supabase CLI's local behaviour); off by default. */
  keylessAnon: boolean;
  /** Only what the project changed; defaults fill the rest (settings.ts). */
  authSettings: Partial<AuthSettings>;
  provisionedVersion: number;
  /** Turned off by `backend:disable`: not served, its data and keys kept (migration 086). */
  disabled: boolean;
}

interface Row {
  app_id: number;
  sealed_jwt_secret: string;
  sealed_signing_key: string;
  anon_key: string;
  sealed_service_role_key: string;
  keyless_anon: boolean;
  auth_settings: Partial<AuthSettings>;
  provisioned_version: number;
  disabled_at: Date | null;
}

function toRecord(key: SecretKey, row: Row): BackendRecord {
  return {
    appId: row.app_id,
    keys: {
      jwtSecret: openSecret(key, row.sealed_jwt_secret),
      anonKey: row.anon_key,
      serviceRoleKey: openSecret(key, row.sealed_service_role_key),
      signingKey: JSON.parse(openSecret(key, row.sealed_signing_key)) as SigningKey,
    },
    keylessAnon: row.keyless_anon,
    authSettings: row.auth_settings,
    provisionedVersion: row.provisioned_version,
    disabled: row.disabled_at !== null,
  };
}

export async function findBackendRecord(sql: Sql, key: SecretKey, appId: number): Promise<BackendRecord | undefined> {
  const [row] = await sql<Row[]>`SELECT * FROM backend_projects WHERE app_id = ${appId}`;
  return row && toRecord(key, row);
}

/** Inserts the keys unless the project has some already; either way returns the stored ones. */
export async function insertBackendRecord(sql: Sql, key: SecretKey, appId: number, keys: BackendRecord['keys']): Promise<BackendRecord> {
  await sql`
    INSERT INTO backend_projects (app_id, sealed_jwt_secret, sealed_signing_key, anon_key, sealed_service_role_key)
    VALUES (${appId}, ${sealSecret(key, keys.jwtSecret)}, ${sealSecret(key, JSON.stringify(keys.signingKey))},
      ${keys.anonKey}, ${sealSecret(key, keys.serviceRoleKey)})
    ON CONFLICT (app_id) DO NOTHING`;
  return (await findBackendRecord(sql, key, appId))!;
}

export async function markProvisioned(sql: Sql, appId: number, version: number): Promise<void> {
  await sql`UPDATE backend_projects SET provisioned_version = ${version} WHERE app_id = ${appId}`;
}

export async function updateBackendSettings(
  sql: Sql, appId: number, change: { keylessAnon?: boolean; authSettings?: Partial<AuthSettings> },
): Promise<void> {
  if (change.keylessAnon !== undefined) await sql`UPDATE backend_projects SET keyless_anon = ${change.keylessAnon} WHERE app_id = ${appId}`;
  if (change.authSettings !== undefined) {
    await sql`UPDATE backend_projects SET auth_settings = auth_settings || ${sql.json(change.authSettings as Record<string, never>)} WHERE app_id = ${appId}`;
  }
}

/**
 * Every project with a backend: apps that enabled it, and previews whose parent did (a preview
 * gets its row, and its own keys, on its first deploy or request).
 */
export async function listBackendProjects(sql: Sql): Promise<Array<{ appId: number; name: string; parentId: number | null }>> {
  const rows = await sql<{ id: number; name: string; parent_id: number | null }[]>`
    SELECT a.id, a.name, a.parent_id FROM apps a
    WHERE EXISTS (SELECT 1 FROM backend_projects b WHERE b.app_id = a.id AND b.disabled_at IS NULL)
       OR EXISTS (SELECT 1 FROM backend_projects b WHERE b.app_id = a.parent_id AND b.disabled_at IS NULL)
    ORDER BY a.name`;
  return rows.map((r) => ({ appId: r.id, name: r.name, parentId: r.parent_id }));
}

/** Whether the app, or the parent of a preview, has the backend enabled (and not disabled since). */
export async function backendEnabled(sql: Sql, app: { id: number; parentId: number | null }): Promise<boolean> {
  const [row] = await sql`SELECT 1 FROM backend_projects WHERE app_id = ${app.parentId ?? app.id} AND disabled_at IS NULL`;
  return row !== undefined;
}

/** Turns the backend off or on again; its row (keys, settings) stays either way. */
export async function setBackendDisabled(sql: Sql, appId: number, disabled: boolean): Promise<void> {
  if (disabled) await sql`UPDATE backend_projects SET disabled_at = now() WHERE app_id = ${appId} AND disabled_at IS NULL`;
  else await sql`UPDATE backend_projects SET disabled_at = NULL WHERE app_id = ${appId}`;
}

/** The projects that share an app's backend: the app and its previews (each its own project). */
export async function projectsOfApp(sql: Sql, appId: number): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`SELECT name FROM apps WHERE id = ${appId} OR parent_id = ${appId} ORDER BY id`;
  return rows.map((r) => r.name);
}
