import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, serverUrl, type TestDatabase } from '../../tests/support/postgres.js';
import { parseAppName } from '../names.js';
import { parseSecretKey } from '../secrets.js';
import { AppDatabases, appDatabaseName, appDatabaseUrl, type AppDatabaseCredentials } from './app-databases.js';
import { createApp } from './apps.js';
import { connect } from './database.js';

let db: TestDatabase;
let databases: AppDatabases;
const key = parseSecretKey('11'.repeat(32));

beforeAll(async () => {
  db = await createTestDatabase();
  databases = new AppDatabases(db.sql, key);
});
afterAll(async () => {
  for (const name of ['db-a', 'db-b']) await databases.drop(parseAppName(name)).catch(() => {});
  await db.drop();
});

function endpoint() {
  const url = new URL(serverUrl());
  return { host: url.hostname, port: Number(url.port) };
}

/** Runs one query as the given credentials against `database`; returns the error code on refusal. */
async function queryAs(c: AppDatabaseCredentials, database: string, query: string): Promise<unknown> {
  const sql = connect(appDatabaseUrl({ ...c, database }, endpoint()), 1);
  try {
    return await sql.unsafe(query);
  } catch (err) {
    return { refused: (err as { code?: string }).code, message: (err as Error).message };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

describe('app databases', () => {
  it.each([
    ['devflow_ab', 'hello', /^app_hello_[0-9a-f]{10}$/],
    ['devflow_ab', 'my-app', /^app_my-app_[0-9a-f]{10}$/],
    ['devflow_ab', `a${'-b'.repeat(30)}`, /^app_a(-b){19}_[0-9a-f]{10}$/],
  ])('names (%s, %s) fit an identifier', (control, app, expected) => {
    const name = appDatabaseName(control, parseAppName(app));
    expect(name).toMatch(expected);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
  });

  it('two installations on one server get different names for the same app', () => {
    expect(appDatabaseName('devflow_1', parseAppName('x'))).not.toBe(appDatabaseName('devflow_2', parseAppName('x')));
  });

  it('builds URLs with encoded credentials and bracketed IPv6 hosts', () => {
    const c = { database: 'app_x_1', role: 'app_x_1', password: 'p/w' };
    expect(appDatabaseUrl(c, { host: '172.17.0.1', port: 5432 })).toBe('postgres://app_x_1:p%2Fw@172.17.0.1:5432/app_x_1');
    expect(appDatabaseUrl(c, { host: '::1', port: 5 })).toBe('postgres://app_x_1:p%2Fw@[::1]:5/app_x_1');
  });

  it('creates a role and database on first use, then returns the same credentials; the password is sealed', async () => {
    const app = await createApp(db.sql, parseAppName('db-a'));
    const first = await databases.ensure(app);
    expect(await databases.ensure(app)).toEqual(first);
    expect(await databases.find(app.id)).toEqual(first);
    const [row] = await db.sql<{ sealed_password: string }[]>`SELECT sealed_password FROM app_databases WHERE app_id = ${app.id}`;
    expect(row!.sealed_password).toMatch(/^v1:/);
    expect(row!.sealed_password).not.toContain(first.password);
    const [role] = await db.sql`SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = ${first.role}`;
    expect(role).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolcanlogin: true });
  });

  it("the app's role owns its database; it cannot connect to another app's database or the control plane", async () => {
    const a = await databases.ensure(await createAppOrGet('db-a'));
    const b = await databases.ensure(await createApp(db.sql, parseAppName('db-b')));
    expect(await queryAs(a, a.database, 'CREATE TABLE notes (body text); INSERT INTO notes VALUES (\'hi\')')).not.toHaveProperty('refused');
    expect(await queryAs(a, a.database, 'SELECT body FROM notes')).toEqual([{ body: 'hi' }]);
    const denied = await queryAs(a, b.database, 'SELECT 1');
    expect(denied).toMatchObject({ refused: '42501' });
    expect((denied as { message: string }).message).toContain(`permission denied for database "${b.database}"`);
    const control = new URL(db.url).pathname.slice(1);
    expect(await queryAs(b, control, 'SELECT 1')).toMatchObject({ refused: '42501' });
  });

  it('drop removes the database and the role', async () => {
    const app = await createAppOrGet('db-b');
    const c = (await databases.find(app.id))!;
    await databases.drop(app.name);
    expect(await db.sql`SELECT 1 FROM pg_database WHERE datname = ${c.database}`).toHaveLength(0);
    expect(await db.sql`SELECT 1 FROM pg_roles WHERE rolname = ${c.role}`).toHaveLength(0);
    await databases.drop(app.name);
  });
});

async function createAppOrGet(name: string) {
  const [row] = await db.sql<{ id: number }[]>`SELECT id FROM apps WHERE name = ${name}`;
  return row ? { id: row.id, name: parseAppName(name) } : createApp(db.sql, parseAppName(name));
}
