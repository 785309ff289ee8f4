/**
 * The redis add-on against a real redis-server (Debian's) started by ManagedRedisServer, with
 * the ioredis client apps use: each app's REDIS_URL reaches its own keys and channels only,
 * users and data survive a restart of the server, and deprovisioning removes both.
 */
import { once } from 'node:events';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import type { StoredAddon } from '../provider.js';
import { RedisProvider } from './provider.js';
import { ManagedRedisServer } from './server.js';

const log = () => {};
let home: string;
let server: ManagedRedisServer;
let provider: RedisProvider;
const clients: Redis[] = [];

async function provisioned(name: string, id: number): Promise<StoredAddon> {
  const app = { id, name: parseAppName(name) };
  return { ...(await provider.provision(app, {})), id, app, kind: 'redis', name: `redis-${name}`, createdAt: new Date() };
}

function client(addon: StoredAddon): Redis {
  const redis = new Redis(provider.bindEnv(addon).REDIS_URL!, { maxRetriesPerRequest: 1 });
  clients.push(redis);
  return redis;
}

/**
 * AUTH as the add-on's user on a bare connection (ioredis would send HELLO first), with its own
 * password unless another is given: the server's one-line reply.
 */
async function authenticate(addon: StoredAddon, password?: string): Promise<string> {
  const url = new URL(provider.bindEnv(addon).REDIS_URL!);
  const args = ['AUTH', decodeURIComponent(url.username), password ?? decodeURIComponent(url.password)];
  const socket = net.connect(Number(url.port), url.hostname);
  socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  const [reply] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  return reply.toString().trim();
}

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-redis-addon-'));
  server = new ManagedRedisServer({ home, listen: [], log });
  provider = new RedisProvider({ server, appHost: '127.0.0.1' });
});

afterAll(async () => {
  clients.forEach((c) => c.disconnect());
  await server.stop();
  await fs.rm(home, { recursive: true, force: true });
});

describe('the redis add-on', () => {
  let alpha: StoredAddon;
  let beta: StoredAddon;

  it('gives each app a REDIS_URL whose user reads and writes its own keys and channels', async () => {
    [alpha, beta] = [await provisioned('alpha', 1), await provisioned('beta', 2)];
    expect(provider.bindEnv(alpha).REDIS_URL).toMatch(/^redis:\/\/app_alpha:[\w-]{43}@127\.0\.0\.1:\d+$/);
    expect(provider.describe(alpha).connection).toMatch(/^redis:\/\/app_alpha:\*\*\*\*@127\.0\.0\.1:\d+$/);
    const a = client(alpha);
    await a.set('alpha:greeting', 'hello');
    expect(await a.get('alpha:greeting')).toBe('hello');
    expect(await a.publish('alpha:news', 'x')).toBe(0);
    await client(beta).set('beta:secret', 'b-only');
  });

  it("refuses one app's credentials on another app's keys, channels and server-wide commands", async () => {
    const a = client(alpha);
    for (const attempt of [
      () => a.get('beta:secret'), () => a.set('beta:secret', 'overwritten'), () => a.del('beta:secret'),
      () => a.get('unprefixed'), () => a.publish('beta:news', 'x'), () => a.keys('*'), () => a.scan('0'),
      () => a.flushall(), () => a.call('CONFIG', 'GET', 'requirepass'), () => a.call('ACL', 'LIST'),
    ]) {
      await expect(attempt()).rejects.toThrow(/NOPERM/);
    }
    expect(await client(beta).get('beta:secret')).toBe('b-only');
  });

  it('refuses a wrong password', async () => {
    expect(await authenticate(alpha, 'wrong')).toMatch(/^-WRONGPASS/);
    expect(await authenticate(alpha)).toBe('+OK');
  });

  it('keeps users and data across a restart of the server (data under DEVFLOW_HOME/redis)', async () => {
    clients.splice(0).forEach((c) => c.disconnect());
    await server.stop();
    server = new ManagedRedisServer({ home, listen: [], log });
    provider = new RedisProvider({ server, appHost: '127.0.0.1' });
    await server.ensureStarted();
    expect(await client(alpha).get('alpha:greeting')).toBe('hello');
    await expect(fs.readdir(path.join(home, 'redis', 'data'))).resolves.toContain('appendonlydir');
  });

  it("backs up the app's keys only, with their TTLs", async () => {
    await client(alpha).set('alpha:session', 's', 'EX', 600);
    const file = path.join(home, 'alpha.backup');
    const { bytes } = await provider.backup(alpha, file);
    const lines = (await fs.readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { key: string; ttl: number });
    expect(bytes).toBeGreaterThan(0);
    expect(lines.map((l) => l.key).sort()).toEqual(['alpha:greeting', 'alpha:session']);
    expect(lines.find((l) => l.key === 'alpha:session')!.ttl).toBeGreaterThan(0);
  });

  it("deprovisioning removes the app's user and keys, and leaves the other app's", async () => {
    await provider.deprovision(alpha);
    expect(await authenticate(alpha)).toMatch(/^-WRONGPASS/);
    const { port, password } = await server.ensureStarted();
    const admin = new Redis({ port, password, host: '127.0.0.1' });
    clients.push(admin);
    expect(await admin.keys('alpha:*')).toEqual([]);
    expect(await admin.get('beta:secret')).toBe('b-only');
  });
});
