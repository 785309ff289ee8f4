import { describe, expect, it } from 'vitest';
import { POOL_ADMIN_USER, poolLayout, poolUrl, renderAuthFile, renderPgBouncerIni } from './plan.js';

const shop = { database: 'app_shop_0123456789', role: 'app_shop_0123456789', password: 'pw-shop' };
const blog = { database: 'app_my-blog_abcdef0123', role: 'app_my-blog_abcdef0123', password: 'has"quote' };

describe('poolLayout', () => {
  it.each([
    ['a user keeps the files in DEVFLOW_HOME', false, /^\/home\/dev\/\.devflow\/pgbouncer$/],
    ['root keeps them where the postgres user can enter', true, /^\/var\/lib\/devflow\/[0-9a-f]{16}\/pgbouncer$/],
  ])('%s', (_what, asRoot, dir) => expect(poolLayout('/home/dev/.devflow', asRoot).dir).toMatch(dir));

  it('gives two homes two folders as root', () => {
    expect(poolLayout('/a', true).dir).not.toBe(poolLayout('/b', true).dir);
  });
});

describe('renderPgBouncerIni', () => {
  const layout = poolLayout('/srv/devflow', false);
  const ini = (members = [shop, blog], listen: string[] = []) =>
    renderPgBouncerIni({ layout, port: 6500, listen, server: { host: '127.0.0.1', port: 5433 }, members });

  it('lists each pooled database without a user, so the server sees each app as its own role', () => {
    const lines = ini().split('\n');
    expect(lines.slice(1, 4)).toEqual([
      '[databases]',
      "app_my-blog_abcdef0123 = host='127.0.0.1' port=5433 dbname='app_my-blog_abcdef0123'",
      "app_shop_0123456789 = host='127.0.0.1' port=5433 dbname='app_shop_0123456789'",
    ]);
    expect(ini()).not.toMatch(/\buser=/);
  });

  it.each([
    [[], 'listen_addr = 127.0.0.1'],
    [['172.17.0.1'], 'listen_addr = 127.0.0.1,172.17.0.1'],
    [['127.0.0.1', '172.18.0.1'], 'listen_addr = 127.0.0.1,172.18.0.1'],
  ])('listens on loopback and %j', (listen, line) => expect(ini([shop], listen).split('\n')).toContain(line));

  it('runs in transaction mode with SCRAM, the console for DevFlow alone, and no unix socket', () => {
    const lines = ini().split('\n');
    for (const line of ['pool_mode = transaction', 'auth_type = scram-sha-256', `admin_users = ${POOL_ADMIN_USER}`, 'unix_socket_dir =',
      'listen_port = 6500', 'auth_file = /srv/devflow/pgbouncer/users.txt']) {
      expect(lines).toContain(line);
    }
  });

  it('an empty pool has no databases', () => expect(ini([]).split('\n').slice(1, 4)).toEqual(['[databases]', '', '[pgbouncer]']));

  it.each(['app x', "app'x", 'a\nlisten_port = 1'])('refuses a database name it cannot write safely: %j', (database) => {
    expect(() => ini([{ ...shop, database }])).toThrow(/unexpected database name/);
  });
});

describe('renderAuthFile', () => {
  it('holds the console user and each app role with its password, quotes doubled', () => {
    expect(renderAuthFile('admin-pw', [shop, blog])).toBe(
      `"${POOL_ADMIN_USER}" "admin-pw"\n"app_shop_0123456789" "pw-shop"\n"app_my-blog_abcdef0123" "has""quote"\n`);
  });
});

describe('poolUrl', () => {
  it.each([
    ['127.0.0.1', 'postgres://app_shop_0123456789:pw-shop@127.0.0.1:6500/app_shop_0123456789'],
    ['172.17.0.1', 'postgres://app_shop_0123456789:pw-shop@172.17.0.1:6500/app_shop_0123456789'],
  ])('reaches the pool at %s', (host, url) => expect(poolUrl(shop, host, 6500)).toBe(url));
});
