/** Previews in the store: each is a child app row plus a `previews` row saying where it came from. */
import { NotFoundError } from '../errors.js';
import { previewAppName, type AppName } from '../names.js';
import type { Sql } from './database.js';

export type PreviewSource = 'branch' | 'pull_request';

export interface PreviewRecord {
  appId: number;
  app: AppName;
  parentId: number;
  parent: AppName;
  slug: string;
  source: PreviewSource;
  sourceRef: string;
  currentRelease: number | null;
  lastActivityAt: Date;
  createdAt: Date;
}

interface Row {
  app_id: number;
  app: string;
  parent_id: number;
  parent: string;
  slug: string;
  source: PreviewSource;
  source_ref: string;
  current_release: number | null;
  last_activity_at: Date;
  created_at: Date;
}

const SELECT = (sql: Sql) => sql`
  SELECT p.*, c.name AS app, a.name AS parent, c.current_release
  FROM previews p JOIN apps c ON c.id = p.app_id JOIN apps a ON a.id = p.parent_id`;

function toPreview(row: Row): PreviewRecord {
  return {
    appId: row.app_id, app: row.app as AppName, parentId: row.parent_id, parent: row.parent as AppName,
    slug: row.slug, source: row.source, sourceRef: row.source_ref, currentRelease: row.current_release,
    lastActivityAt: row.last_activity_at, createdAt: row.created_at,
  };
}

export async function findPreview(sql: Sql, parentId: number, slug: string): Promise<PreviewRecord | undefined> {
  const rows = await sql<Row[]>`${SELECT(sql)} WHERE p.parent_id = ${parentId} AND p.slug = ${slug}`;
  return rows[0] ? toPreview(rows[0]) : undefined;
}

export async function findPreviewByApp(sql: Sql, appId: number): Promise<PreviewRecord | undefined> {
  const rows = await sql<Row[]>`${SELECT(sql)} WHERE p.app_id = ${appId}`;
  return rows[0] ? toPreview(rows[0]) : undefined;
}

export async function getPreview(sql: Sql, parentId: number, slug: string): Promise<PreviewRecord> {
  const preview = await findPreview(sql, parentId, slug);
  if (!preview) throw new NotFoundError(`preview "${slug}" does not exist: \`devflow previews <app>\` lists them`);
  return preview;
}

export async function listPreviews(sql: Sql, parentId?: number): Promise<PreviewRecord[]> {
  const rows = parentId === undefined
    ? await sql<Row[]>`${SELECT(sql)} ORDER BY p.created_at`
    : await sql<Row[]>`${SELECT(sql)} WHERE p.parent_id = ${parentId} ORDER BY p.created_at`;
  return rows.map(toPreview);
}

/** Makes the child app (one web process, the parent's deploy branch irrelevant) and its record. */
export async function createPreview(
  sql: Sql,
  parent: { id: number; name: AppName },
  slug: string,
  source: PreviewSource,
  sourceRef: string,
): Promise<PreviewRecord> {
  const name = previewAppName(parent.name, slug);
  await sql.begin(async (tx) => {
    const [app] = await tx<{ id: number }[]>`
      INSERT INTO apps (name, parent_id) VALUES (${name}, ${parent.id}) RETURNING id`;
    await tx`INSERT INTO formation (app_id, process_type, replicas) VALUES (${app!.id}, 'web', 1)`;
    await tx`INSERT INTO previews (app_id, parent_id, slug, source, source_ref)
      VALUES (${app!.id}, ${parent.id}, ${slug}, ${source}, ${sourceRef})`;
  });
  return (await findPreview(sql, parent.id, slug))!;
}

export async function touchPreview(sql: Sql, appId: number): Promise<void> {
  await sql`UPDATE previews SET last_activity_at = now() WHERE app_id = ${appId}`;
}

export async function deletePreviewRecord(sql: Sql, appId: number): Promise<void> {
  await sql`DELETE FROM apps WHERE id = ${appId}`;
}

export async function getPreviewOverrides(sql: Sql, parentId: number): Promise<Record<string, string>> {
  const [row] = await sql<{ config_overrides: Record<string, string> }[]>`
    SELECT config_overrides FROM preview_settings WHERE app_id = ${parentId}`;
  return row?.config_overrides ?? {};
}

export async function setPreviewOverrides(sql: Sql, parentId: number, changes: Record<string, string | null>): Promise<Record<string, string>> {
  const merged = { ...(await getPreviewOverrides(sql, parentId)) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  await sql`INSERT INTO preview_settings (app_id, config_overrides) VALUES (${parentId}, ${sql.json(merged)})
    ON CONFLICT (app_id) DO UPDATE SET config_overrides = EXCLUDED.config_overrides`;
  return merged;
}

export async function getSealedWebhookSecret(sql: Sql, parentId: number): Promise<string | undefined> {
  const [row] = await sql<{ sealed_webhook_secret: string | null }[]>`
    SELECT sealed_webhook_secret FROM preview_settings WHERE app_id = ${parentId}`;
  return row?.sealed_webhook_secret ?? undefined;
}

export async function setSealedWebhookSecret(sql: Sql, parentId: number, sealed: string): Promise<void> {
  await sql`INSERT INTO preview_settings (app_id, sealed_webhook_secret) VALUES (${parentId}, ${sealed})
    ON CONFLICT (app_id) DO UPDATE SET sealed_webhook_secret = EXCLUDED.sealed_webhook_secret`;
}
