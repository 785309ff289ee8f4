/**
 * Preview lifecycle: a preview is made on its first deploy (within the app's limit, with a
 * branch of the parent's database), touched on every later deploy, and removed with all it
 * owns (instances, routes, artifacts, database, add-ons) when its branch is deleted, its pull
 * request closes, or it has been idle past the TTL. Its add-ons are made at deploy time
 * (addons/previews/, through the scheduler's previewAddons hook), not here.
 */
import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '../../core/errors.js';
import type { AppName } from '../../core/names.js';
import { sealSecret, type SecretKey } from '../../core/secrets.js';
import { appDatabaseName, type AppDatabases } from '../../core/store/app-databases.js';
import type { Sql } from '../../core/store/database.js';
import {
  createPreview, deletePreviewRecord, findPreview, listPreviews, touchPreview,
  type PreviewRecord, type PreviewSource,
} from '../../core/store/previews.js';
import { listReleases } from '../../core/store/releases.js';
import type { LogSink } from '../../core/types.js';
import type { RouteRefresher } from '../deps.js';
import type { RuntimeDriver } from '../runtime/types.js';
import { branchDatabase, dropBranch } from './database-branch.js';
import { admitPreview, expiredPreviews } from './limits.js';

export interface PreviewDeps {
  sql: Sql;
  /** The platform PostgreSQL's superuser URL (the control plane's), for branching. */
  serverUrl: string;
  databases: AppDatabases;
  secretKey: SecretKey;
  runtime: RuntimeDriver;
  routes: RouteRefresher;
  maxPreviews: number;
  idleTtlMs: number;
  /** The add-ons role (addons/previews/): a preview's own add-ons (its Redis ACL user and keys) go with it. */
  addons?: { removeAll(app: { id: number; name: AppName }): Promise<void> };
}

/** The preview for this slug, made now if it does not exist yet. */
export async function preparePreview(
  deps: PreviewDeps,
  parent: { id: number; name: AppName },
  slug: string,
  source: PreviewSource,
  sourceRef: string,
  log: LogSink,
): Promise<PreviewRecord> {
  const existing = await findPreview(deps.sql, parent.id, slug);
  if (existing) {
    await touchPreview(deps.sql, existing.appId);
    return existing;
  }
  const decision = admitPreview(await listPreviews(deps.sql, parent.id), deps.maxPreviews, new Date());
  if (!decision.ok) throw new InvalidInputError(decision.reason);
  const preview = await createPreview(deps.sql, parent, slug, source, sourceRef);
  try {
    await branchParentDatabase(deps, parent, preview, log);
  } catch (err) {
    await deletePreviewRecord(deps.sql, preview.appId);
    throw err;
  }
  return preview;
}

async function branchParentDatabase(deps: PreviewDeps, parent: { id: number; name: AppName }, preview: PreviewRecord, log: LogSink): Promise<void> {
  const source = await deps.databases.find(parent.id);
  if (!source) return; // The parent has never deployed: the preview gets a fresh database on deploy.
  const [control] = await deps.sql<{ name: string }[]>`SELECT current_database() AS name`;
  const name = appDatabaseName(control!.name, preview.app);
  const target = { database: name, role: name, password: randomBytes(24).toString('base64url') };
  log.line(`-----> Branching the database of ${parent.name}`);
  const result = await branchDatabase({ sql: deps.sql, serverUrl: deps.serverUrl, source, target });
  await deps.sql`
    INSERT INTO app_databases (app_id, database, role, sealed_password)
    VALUES (${preview.appId}, ${target.database}, ${target.role}, ${sealSecret(deps.secretKey, target.password)})`;
  log.line(`       Copied by ${result.method === 'template' ? 'template' : 'pg_dump | psql'} in ${(result.ms / 1000).toFixed(1)} s`);
}

export async function removePreview(deps: PreviewDeps, preview: PreviewRecord): Promise<void> {
  const instances = await deps.runtime.list(preview.app);
  await Promise.all(instances.map((i) => deps.runtime.stop(i.id, { graceMs: 5000 })));
  const releases = await listReleases(deps.sql, preview.appId, 1000);
  const credentials = await deps.databases.find(preview.appId);
  // While the preview's app row still names them (the rows go with it, ON DELETE CASCADE).
  await deps.addons?.removeAll({ id: preview.appId, name: preview.app });
  await deletePreviewRecord(deps.sql, preview.appId);
  if (credentials) await dropBranch(deps.sql, credentials);
  for (const release of releases) await deps.runtime.removeArtifact?.(release.artifact).catch(() => {});
  await deps.routes.refresh();
}

/** Removes previews idle past the TTL; returns their slugs. */
export async function expireIdlePreviews(deps: PreviewDeps, now = new Date()): Promise<string[]> {
  const previews = await listPreviews(deps.sql);
  const expired = new Set(expiredPreviews(previews.map((p) => ({ slug: `${p.parentId}/${p.slug}`, lastActivityAt: p.lastActivityAt })), deps.idleTtlMs, now));
  const removed: string[] = [];
  for (const preview of previews) {
    if (!expired.has(`${preview.parentId}/${preview.slug}`)) continue;
    await removePreview(deps, preview);
    removed.push(`${preview.parent}/${preview.slug}`);
  }
  return removed;
}
