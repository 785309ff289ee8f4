/**
 * A provisioned project database for the backend's tests: its own owner role and database on
 * the test run's PostgreSQL (tests/support/postgres.ts), set up by the same SQL as production.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Sql } from '../core/store/database.js';
import { serverUrl, withDatabase } from '../tests/support/postgres.js';
import type { AuthSettings, BackendProject } from './contract.js';
import { newProjectKeys } from './keys.js';
import { clusterRolesSql, grantRequestRolesSql, projectDatabaseSql, quoteIdent } from './provision-sql.js';

export interface TestProject {
  project: BackendProject;
  /** A superuser pool on the project's database, for fixtures the test sets up. */
  adminSql: Sql;
  drop(): Promise<void>;
}

export const TEST_AUTH_SETTINGS: AuthSettings = {
  mailerAutoconfirm: true,
  allowAnonymousSignIns: true,
  disableSignup: false,
  siteUrl: 'http://localhost:3000',
  jwtExpiry: 3600,
};

export async function createTestProject(options: { setupSql?: string; auth?: Partial<AuthSettings> } = {}): Promise<TestProject> {
  const name = `bt_${randomBytes(5).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const server = connect(serverUrl(), 1);
  for (const statement of clusterRolesSql()) await server.unsafe(statement);
  await server.unsafe(`CREATE ROLE ${quoteIdent(name)} LOGIN PASSWORD '${password}'`);
  await server.unsafe(`CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(name)}`);
  await server.unsafe(`REVOKE ALL ON DATABASE ${quoteIdent(name)} FROM PUBLIC`);
  await server.unsafe(grantRequestRolesSql(name));
  const adminSql = connect(withDatabase(serverUrl(), name), 2);
  for (const statement of projectDatabaseSql(name)) await adminSql.unsafe(statement);
  const ownerUrl = new URL(withDatabase(serverUrl(), name));
  ownerUrl.username = name;
  ownerUrl.password = password;
  const sql = connect(ownerUrl.toString(), 4);
  if (options.setupSql) await sql.unsafe(options.setupSql);
  const project: BackendProject = {
    ref: name,
    sql,
    keys: await newProjectKeys(name),
    auth: { ...TEST_AUTH_SETTINGS, ...options.auth },
    url: 'http://127.0.0.1',
  };
  return {
    project,
    adminSql,
    async drop() {
      await sql.end({ timeout: 2 });
      await adminSql.end({ timeout: 2 });
      await server.unsafe(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await server.unsafe(`DROP ROLE IF EXISTS ${quoteIdent(name)}`);
      await server.end({ timeout: 2 });
    },
  };
}
