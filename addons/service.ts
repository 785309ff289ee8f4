/**
 * Add-ons of an app (issue 21): create, list, destroy, and removal with the app. Creating one
 * provisions it, stores it, then sets the variables it binds as config vars through the
 * scheduler's config path (Heroku's add-on attachments do the same), so a deployed app rolls a
 * new release that has them; destroying one unsets them the same way, then deprovisions.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, InvalidInputError, NotFoundError, errorMessage } from '../core/errors.js';
import { withAppLock } from '../core/locks.js';
import type { AppName } from '../core/names.js';
import type { SecretKey } from '../core/secrets.js';
import { getApp } from '../core/store/apps.js';
import type { Sql } from '../core/store/database.js';
import type { AddonApp, AddonDetails, AddonOptions, AddonProvider, PreviewPolicy } from './provider.js';
import { deleteAddon, insertAddon, listAddons, setShareWithPreviews, type AddonRecord } from './store.js';

/** `addons:create … --share-with-previews`: taken by the service, never passed to the provider. */
export const SHARE_OPTION = 'share-with-previews';

export interface ConfigChange {
  set: Record<string, string>;
  unset: string[];
}

export interface AddonServiceDeps {
  sql: Sql;
  secretKey: SecretKey;
  providers: ReadonlyMap<string, AddonProvider>;
  /** The scheduler's config:set path: a new release when the app has one. */
  setConfig(app: AppName, change: ConfigChange, actor: string): Promise<{ release: number | null }>;
  log: (line: string) => void;
}

/** What the API shows of one add-on. */
export interface AddonView extends AddonDetails {
  id: number;
  name: string;
  kind: string;
  app: string;
  env: string[];
  /** What the app's previews get of it: their own (empty), the app's (shared), or none (withheld). */
  previews: 'own' | 'shared' | 'withheld';
  createdAt: string;
}

export interface CreatedAddon {
  addon: AddonView;
  /** The release that carries its variables; null when the app has none yet (or none changed). */
  release: number | null;
}

export class AddonService {
  constructor(private readonly deps: AddonServiceDeps) {}

  kinds(): string[] {
    return [...this.deps.providers.keys()];
  }

  async list(appName: AppName): Promise<AddonView[]> {
    const app = await this.app(appName);
    return (await listAddons(this.deps.sql, this.deps.secretKey, app)).map((a) => this.view(a));
  }

  async create(appName: AppName, kind: string, options: AddonOptions, actor: string): Promise<CreatedAddon> {
    const provider = this.provider(kind);
    const app = await this.app(appName);
    const { [SHARE_OPTION]: share, ...providerOptions } = options;
    const record = await this.attach(app, kind, providerOptions, share !== undefined && share !== 'false');
    const vars = provider.bindEnv(record);
    const { release } = Object.keys(vars).length === 0
      ? { release: null }
      : await this.deps.setConfig(app.name, { set: vars, unset: [] }, actor);
    return { addon: this.view(record), release };
  }

  /**
   * Provisions and stores an add-on without touching the app's config: `create` sets its
   * variables afterwards, a preview's deploy (previews/service.ts) takes them for its release.
   * Under the app's lock, so two creates of one kind never both provision; `held` when the
   * caller holds it already (a deployment does, from build to rollout).
   */
  async attach(app: AddonApp, kind: string, options: AddonOptions, shareWithPreviews = false, lock: 'take' | 'held' = 'take'): Promise<AddonRecord> {
    const provider = this.provider(kind);
    const work = async () => {
      if ((await listAddons(this.deps.sql, this.deps.secretKey, app)).some((a) => a.kind === kind)) {
        throw new ConflictError(`${app.name} already has a ${kind} add-on: destroy it first (devflow addons:destroy ${app.name} ${kind} --confirm ${app.name})`);
      }
      const provisioned = await provider.provision(app, options);
      const name = `${kind}-${randomBytes(3).toString('hex')}`;
      const env = Object.keys(provider.bindEnv({ ...provisioned, id: 0, app, kind, name, createdAt: new Date() }));
      return insertAddon(this.deps.sql, this.deps.secretKey, app, kind, name, provisioned, env, shareWithPreviews);
    };
    return lock === 'held' ? work() : withAppLock(this.deps.sql, app.id, work);
  }

  /** `addons:share` / `addons:unshare`: whether the app's previews use this add-on as the app does (from their next deploy). */
  async shareWithPreviews(appName: AppName, ref: string, share: boolean): Promise<AddonView> {
    const record = await this.find(await this.app(appName), ref);
    await setShareWithPreviews(this.deps.sql, record.id, share);
    return this.view({ ...record, shareWithPreviews: share });
  }

  /** `ref` is the add-on's kind or its name. */
  async destroy(appName: AppName, ref: string, actor: string): Promise<{ release: number | null }> {
    const app = await this.app(appName);
    const record = await this.find(app, ref);
    const { release } = record.env.length === 0
      ? { release: null }
      : await this.deps.setConfig(app.name, { set: {}, unset: record.env }, actor);
    await this.provider(record.kind).deprovision(record);
    await deleteAddon(this.deps.sql, record.id);
    return { release };
  }

  /**
   * Deprovisions every add-on of an app being destroyed (deploys/apps.ts). The app is going, so
   * its config is not touched; a failure is logged and the rest still go (the rows go with the app).
   */
  async removeAll(app: AddonApp): Promise<void> {
    for (const record of await listAddons(this.deps.sql, this.deps.secretKey, app)) {
      const provider = this.deps.providers.get(record.kind);
      try {
        await provider?.deprovision(record);
        await deleteAddon(this.deps.sql, record.id);
      } catch (err) {
        this.deps.log(`[${app.name}] could not remove add-on ${record.name}: ${errorMessage(err)}`);
      }
    }
  }

  private async find(app: AddonApp, ref: string): Promise<AddonRecord> {
    const addons = await listAddons(this.deps.sql, this.deps.secretKey, app);
    const record = addons.find((a) => a.kind === ref || a.name === ref);
    if (record) return record;
    const have = addons.map((a) => `${a.name} (${a.kind})`).join(', ') || 'none';
    throw new NotFoundError(`${app.name} has no add-on "${ref}" (it has: ${have})`);
  }

  private provider(kind: string): AddonProvider {
    const provider = this.deps.providers.get(kind);
    if (!provider) {
      const kinds = [...this.deps.providers.values()].map((p) => `${p.kind}: ${p.summary}`).join('; ');
      throw new InvalidInputError(`unknown add-on kind "${kind}"; the kinds are: ${kinds}`);
    }
    return provider;
  }

  private async app(name: AppName): Promise<AddonApp> {
    const app = await getApp(this.deps.sql, name);
    return { id: app.id, name: app.name as AppName };
  }

  private view(record: AddonRecord): AddonView {
    const details = this.provider(record.kind).describe(record);
    return {
      id: record.id, name: record.name, kind: record.kind, app: record.app.name, env: record.env,
      previews: previewsView(this.provider(record.kind).previews, record.shareWithPreviews), createdAt: record.createdAt.toISOString(), ...details,
    };
  }
}

function previewsView(policy: PreviewPolicy, shared: boolean): AddonView['previews'] {
  if (shared) return 'shared';
  return policy === 'own' ? 'own' : 'withheld';
}
