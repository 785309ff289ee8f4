/** The `addons` table (migrations 039, 079): one row per add-on of an app, its secret sealed. */
import { openSecret, sealSecret, type SecretKey } from '../core/secrets.js';
import type { Sql } from '../core/store/database.js';
import type { AddonApp, Provisioned, StoredAddon } from './provider.js';

interface Row {
  id: number;
  kind: string;
  name: string;
  settings: Record<string, unknown>;
  sealed_secret: string | null;
  env: string[];
  share_with_previews: boolean;
  created_at: Date;
}

export interface AddonRecord extends StoredAddon {
  /** The config vars it bound. */
  env: string[];
  /** The app's previews use it as the app does (`--share-with-previews`), instead of their own or none. */
  shareWithPreviews: boolean;
}

export async function listAddons(sql: Sql, key: SecretKey, app: AddonApp): Promise<AddonRecord[]> {
  const rows = await sql<Row[]>`SELECT * FROM addons WHERE app_id = ${app.id} ORDER BY id`;
  return rows.map((row) => fromRow(key, app, row));
}

export async function insertAddon(
  sql: Sql, key: SecretKey, app: AddonApp, kind: string, name: string, provisioned: Provisioned, env: string[], shareWithPreviews = false,
): Promise<AddonRecord> {
  const sealed = provisioned.secret === undefined ? null : sealSecret(key, provisioned.secret);
  const [row] = await sql<Row[]>`
    INSERT INTO addons (app_id, kind, name, settings, sealed_secret, env, share_with_previews)
    VALUES (${app.id}, ${kind}, ${name}, ${sql.json(provisioned.settings as never)}, ${sealed}, ${env}, ${shareWithPreviews})
    RETURNING *`;
  return fromRow(key, app, row!);
}

export async function deleteAddon(sql: Sql, id: number): Promise<void> {
  await sql`DELETE FROM addons WHERE id = ${id}`;
}

export async function setShareWithPreviews(sql: Sql, id: number, share: boolean): Promise<void> {
  await sql`UPDATE addons SET share_with_previews = ${share} WHERE id = ${id}`;
}

function fromRow(key: SecretKey, app: AddonApp, row: Row): AddonRecord {
  return {
    id: row.id, app, kind: row.kind, name: row.name, settings: row.settings, env: row.env, shareWithPreviews: row.share_with_previews,
    createdAt: row.created_at,
    ...(row.sealed_secret === null ? {} : { secret: openSecret(key, row.sealed_secret) }),
  };
}
