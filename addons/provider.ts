/**
 * The add-on provider contract (DESIGN.md, "addons/"): every kind of add-on is one object with
 * these five steps, chosen in one place (providers.ts). The service (service.ts) stores what
 * `provision` returns, binds `bindEnv`'s variables as config vars (a new release), and calls
 * `deprovision` when the add-on or its app is destroyed.
 */
import type { AppName } from '../core/names.js';

/** What `addons:create <app> <kind> --option value` passed, parsed by the provider. */
export type AddonOptions = Record<string, string>;

export interface AddonApp {
  id: number;
  name: AppName;
}

/** What provisioning made: kept in the store (settings as JSON, the secret sealed). */
export interface Provisioned {
  settings: Record<string, unknown>;
  secret?: string;
}

/** An add-on as the store holds it, handed back to its provider. */
export interface StoredAddon extends Provisioned {
  id: number;
  app: AddonApp;
  kind: string;
  name: string;
  createdAt: Date;
}

/** What `devflow addons <app>` shows of one add-on, secrets masked. */
export interface AddonDetails {
  plan: string;
  /** e.g. redis://app_shop:****@172.17.0.1:6380 */
  connection: string;
  info: Record<string, string>;
}

export interface BackupResult {
  file: string;
  bytes: number;
}

/**
 * What an app's preview gets of this kind of add-on (addons/previews/plan.ts):
 * - `own`: DevFlow runs the service, so each preview gets a fresh, empty one of its own;
 * - `external`: a server the user named, which DevFlow cannot copy: its variables are withheld
 *   from previews unless the add-on is shared with them (`--share-with-previews`);
 * - `database`: it belongs to the app's database, which the preview has a copy of (extensions
 *   come with the copy; a pool of the parent's database is not the preview's).
 */
export type PreviewPolicy = 'own' | 'external' | 'database';

export interface AddonProvider {
  readonly kind: string;
  readonly previews: PreviewPolicy;
  /** One line for the list of kinds. */
  readonly summary: string;
  /** Which options `create` takes (for messages), e.g. ['extensions']. */
  readonly options: readonly string[];
  /** Checks the options and the outside world (a reachable server, an available extension). */
  provision(app: AddonApp, options: AddonOptions): Promise<Provisioned>;
  /** The variables the app's processes get, e.g. { REDIS_URL }; none for a postgres extension. */
  bindEnv(addon: StoredAddon): Record<string, string>;
  describe(addon: StoredAddon): AddonDetails;
  /** Writes a copy of the add-on's data to `file`. */
  backup(addon: StoredAddon, file: string): Promise<BackupResult>;
  /** Removes what provision made (the ACL user and its keys, …); a gone resource is fine. */
  deprovision(addon: StoredAddon): Promise<void>;
}

/** Passwords in a URL shown to people become ****. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '****';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
