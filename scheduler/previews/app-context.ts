/**
 * What differs when the app being deployed is a preview: its config and its public URL
 * (`<slug>.<parent>`). A preview's config is, from weakest to strongest: the parent's config
 * vars less those of its add-ons (a preview never writes to production's data: the add-ons
 * role decides, addons/previews/plan.ts), the preview's own add-ons' variables, the per-app
 * preview overrides, then its own vars.
 */
import { appUrl, type Config } from '../../core/config.js';
import type { AppName } from '../../core/names.js';
import { getConfigVars, type AppRecord } from '../../core/store/apps.js';
import type { Sql } from '../../core/store/database.js';
import { findPreviewByApp, getPreviewOverrides } from '../../core/store/previews.js';
import type { LogSink } from '../../core/types.js';

/** What the add-ons role answers for a preview about to build. */
export interface PreviewAddonEnv {
  /** The variables of the preview's own add-ons (its REDIS_URL). */
  set: Record<string, string>;
  /** The parent's variables the preview does not inherit (its add-ons' connection URLs). */
  withhold: string[];
}

/** The add-ons role's part in a preview's deployment (addons/previews/service.ts); it may write to the deploy log. */
export interface PreviewAddonHook {
  prepare(preview: { id: number; name: AppName }, parent: { id: number; name: AppName }, log: LogSink): Promise<PreviewAddonEnv>;
}

export async function deployConfigVars(sql: Sql, app: AppRecord, addons?: PreviewAddonHook, log?: LogSink): Promise<Record<string, string>> {
  const own = await getConfigVars(sql, app.id);
  if (app.parentId === null) return own;
  const preview = await findPreviewByApp(sql, app.id);
  const addonEnv = preview && addons
    ? await addons.prepare({ id: app.id, name: app.name }, { id: preview.parentId, name: preview.parent }, log ?? { line: () => {} })
    : { set: {}, withhold: [] };
  return previewConfig({
    parent: await getConfigVars(sql, app.parentId), addons: addonEnv, overrides: await getPreviewOverrides(sql, app.parentId), own,
  });
}

export interface PreviewConfigParts {
  parent: Record<string, string>;
  addons: PreviewAddonEnv;
  overrides: Record<string, string>;
  own: Record<string, string>;
}

/** A preview's config vars from its parts; pure, with table tests beside it. */
export function previewConfig(parts: PreviewConfigParts): Record<string, string> {
  return { ...inheritedVars(parts.parent, parts.addons.withhold), ...parts.addons.set, ...parts.overrides, ...parts.own };
}

/**
 * The parent's vars a preview takes. A preview has its own branch database (DATABASE_URL), so
 * the parent's DATABASE_POOL_URL (the pgbouncer add-on: the parent's own database) stays behind
 * even when no add-on list was asked; so do the variables the add-ons role withholds.
 */
export function inheritedVars(parent: Record<string, string>, withhold: readonly string[] = []): Record<string, string> {
  const left = new Set(['DATABASE_POOL_URL', ...withhold]);
  return Object.fromEntries(Object.entries(parent).filter(([name]) => !left.has(name)));
}

export async function publicUrl(sql: Sql, config: Pick<Config, 'domain' | 'httpPort'>, app: AppRecord): Promise<string> {
  if (app.parentId === null) return appUrl(config, app.name);
  const preview = await findPreviewByApp(sql, app.id);
  return preview ? appUrl(config, `${preview.slug}.${preview.parent}`) : appUrl(config, app.name);
}
