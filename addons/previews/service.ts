/**
 * The add-ons of a preview (plan.ts says which), done at each of its deployments, under the
 * preview's lock, before it builds: the add-ons DevFlow runs are made for the preview the first
 * time (empty: the app's data is not copied), the app's variables for the others are withheld
 * (and the deploy log says which, and how to opt in). The preview's add-ons are removed with it
 * (scheduler/previews/manager.ts calls `removeAll`).
 */
import type { LogSink } from '../../core/types.js';
import type { SecretKey } from '../../core/secrets.js';
import type { Sql } from '../../core/store/database.js';
import type { PreviewAddonEnv, PreviewAddonHook } from '../../scheduler/index.js';
import type { AddonApp, AddonProvider, PreviewPolicy } from '../provider.js';
import type { AddonService } from '../service.js';
import { listAddons } from '../store.js';
import { planPreviewAddons, withheldLines } from './plan.js';

export interface PreviewAddonsDeps {
  sql: Sql;
  secretKey: SecretKey;
  service: AddonService;
  providers: ReadonlyMap<string, AddonProvider>;
}

export class PreviewAddons implements PreviewAddonHook {
  constructor(private readonly deps: PreviewAddonsDeps) {}

  async prepare(preview: AddonApp, parent: AddonApp, log: LogSink): Promise<PreviewAddonEnv> {
    const { sql, secretKey } = this.deps;
    const parentAddons = await listAddons(sql, secretKey, parent);
    const own = await listAddons(sql, secretKey, preview);
    const plan = planPreviewAddons(
      parentAddons.map((a) => ({ name: a.name, kind: a.kind, env: a.env, policy: this.policy(a.kind), shareWithPreviews: a.shareWithPreviews })),
      own.map((a) => a.kind),
    );
    for (const kind of plan.provision) {
      const record = await this.deps.service.attach(preview, kind, {}, false, 'held');
      log.line(`-----> Made ${record.name} (${kind}) for the preview: ${record.env.join(', ')}, empty (${parent.name}'s data is not copied)`);
      own.push(record);
    }
    if (plan.shared.length > 0) log.line(`-----> Shared with ${parent.name}, as you chose: ${plan.shared.join(', ')}`);
    for (const line of withheldLines(parent.name, plan.withheld)) log.line(line);
    const set = Object.assign({}, ...own.map((a) => this.deps.providers.get(a.kind)?.bindEnv(a) ?? {})) as Record<string, string>;
    return { set, withhold: plan.withhold };
  }

  /** With the preview (branch deleted, pull request closed, removed, idle past the TTL). */
  removeAll(preview: AddonApp): Promise<void> {
    return this.deps.service.removeAll(preview);
  }

  /** A kind this DevFlow has no provider for is treated as a server the user named: withheld. */
  private policy(kind: string): PreviewPolicy {
    return this.deps.providers.get(kind)?.previews ?? 'external';
  }
}
