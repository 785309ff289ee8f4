/**
 * The `redis` add-on: an ACL user on the one add-on Redis server (server.ts) per app, limited to
 * the keys and channels under `<app>:` (acl-rules.ts), with a strong random password. Apps get
 * REDIS_URL with that user; the host is where the app's processes reach the server (the Docker
 * bridge gateway for containers, 127.0.0.1 for host processes).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { InvalidInputError } from '../../core/errors.js';
import { maskUrl, type AddonApp, type AddonDetails, type AddonOptions, type AddonProvider, type BackupResult, type Provisioned, type StoredAddon } from '../provider.js';
import { aclRules, aclUserName, keyPrefix } from './acl-rules.js';
import type { ManagedRedisServer } from './server.js';

type Redis = import('ioredis').Redis;

export interface RedisProviderOptions {
  server: ManagedRedisServer;
  /** The host apps' processes reach the server at. */
  appHost: string;
}

interface RedisSettings {
  user: string;
  prefix: string;
  port: number;
}

export class RedisProvider implements AddonProvider {
  readonly kind = 'redis';
  readonly previews = 'own' as const;
  readonly summary = 'Redis 7: REDIS_URL with an ACL user of its own, limited to keys and channels under "<app>:"';
  readonly options = [] as const;

  constructor(private readonly deps: RedisProviderOptions) {}

  async provision(app: AddonApp, options: AddonOptions): Promise<Provisioned> {
    const unknown = Object.keys(options);
    if (unknown.length > 0) throw new InvalidInputError(`the redis add-on takes no options (got --${unknown.join(', --')})`);
    const password = randomBytes(32).toString('base64url');
    const { port } = await this.deps.server.ensureStarted();
    await this.admin(async (redis) => {
      await redis.call('ACL', 'SETUSER', aclUserName(app.name), ...aclRules(app.name, password));
      await redis.call('ACL', 'SAVE');
    });
    const settings: RedisSettings = { user: aclUserName(app.name), prefix: keyPrefix(app.name), port };
    return { settings: { ...settings }, secret: password };
  }

  bindEnv(addon: StoredAddon): Record<string, string> {
    return { REDIS_URL: this.url(addon, addon.secret ?? '') };
  }

  describe(addon: StoredAddon): AddonDetails {
    const settings = addon.settings as unknown as RedisSettings;
    return {
      plan: 'shared server, ACL user per app',
      connection: maskUrl(this.url(addon, addon.secret ?? '')),
      info: { 'key prefix': settings.prefix, user: settings.user },
    };
  }

  /** The app's keys with their TTLs, as DUMP payloads, one JSON line each (restorable with RESTORE). */
  async backup(addon: StoredAddon, file: string): Promise<BackupResult> {
    const { prefix } = addon.settings as unknown as RedisSettings;
    const lines: string[] = [];
    await this.admin(async (redis) => {
      for await (const keys of redis.scanStream({ match: `${escapeGlob(prefix)}*`, count: 500 }) as AsyncIterable<string[]>) {
        for (const key of keys) {
          const [dump, ttl] = await Promise.all([redis.dumpBuffer(key), redis.pttl(key)]);
          if (dump) lines.push(JSON.stringify({ key, ttl, dump: dump.toString('base64') }));
        }
      }
    });
    const text = lines.map((l) => `${l}\n`).join('');
    await fs.writeFile(file, text, { mode: 0o600 });
    return { file, bytes: Buffer.byteLength(text) };
  }

  async deprovision(addon: StoredAddon): Promise<void> {
    const { user, prefix } = addon.settings as unknown as RedisSettings;
    await this.deps.server.ensureStarted();
    await this.admin(async (redis) => {
      await redis.call('ACL', 'DELUSER', user);
      await redis.call('ACL', 'SAVE');
      for await (const keys of redis.scanStream({ match: `${escapeGlob(prefix)}*`, count: 500 }) as AsyncIterable<string[]>) {
        if (keys.length > 0) await redis.unlink(...keys);
      }
    });
  }

  private url(addon: StoredAddon, password: string): string {
    const { user, port } = addon.settings as unknown as RedisSettings;
    const host = this.deps.appHost.includes(':') ? `[${this.deps.appHost}]` : this.deps.appHost;
    return `redis://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}`;
  }

  /** A short-lived connection as the server's default (operator) user. */
  private async admin<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
    const { port, password } = await this.deps.server.ensureStarted();
    const { Redis } = await import('ioredis');
    const redis = new Redis({ host: '127.0.0.1', port, password, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      return await work(redis);
    } finally {
      redis.disconnect();
    }
  }
}

/** App names are letters, digits and dashes; escaped anyway so a glob character stays literal. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

