/**
 * What differs when the app being deployed is a preview: its config (the parent's config vars,
 * then the per-app preview overrides, then its own) and its public URL (`<slug>.<parent>`).
 */
import { appUrl, type Config } from '../../core/config.js';
import { getConfigVars, type AppRecord } from '../../core/store/apps.js';
import type { Sql } from '../../core/store/database.js';
import { findPreviewByApp, getPreviewOverrides } from '../../core/store/previews.js';

export async function deployConfigVars(sql: Sql, app: AppRecord): Promise<Record<string, string>> {
  const own = await getConfigVars(sql, app.id);
  if (app.parentId === null) return own;
  return { ...inheritedVars(await getConfigVars(sql, app.parentId)), ...(await getPreviewOverrides(sql, app.parentId)), ...own };
}

/**
 * The parent's vars a preview takes. A preview has its own branch database (DATABASE_URL), so
 * the parent's DATABASE_POOL_URL (the pgbouncer add-on: the parent's own database) stays behind.
 */
export function inheritedVars(parent: Record<string, string>): Record<string, string> {
  const { DATABASE_POOL_URL: _pool, ...rest } = parent;
  return rest;
}

export async function publicUrl(sql: Sql, config: Pick<Config, 'domain' | 'httpPort'>, app: AppRecord): Promise<string> {
  if (app.parentId === null) return appUrl(config, app.name);
  const preview = await findPreviewByApp(sql, app.id);
  return preview ? appUrl(config, `${preview.slug}.${preview.parent}`) : appUrl(config, app.name);
}
