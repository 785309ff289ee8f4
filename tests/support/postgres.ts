/**
 * Tests share one real PostgreSQL: the embedded server, started once per test run by
 * tests/support/global-setup.ts. Each test gets its own fresh database on it.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { connect, migrate, type Sql } from '../../core/store/database.js';
import { MIGRATIONS } from '../../core/store/migrations.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export function serverUrl(): string {
  return inject('postgresUrl');
}

export interface TestDatabase {
  sql: Sql;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const admin = connect(serverUrl(), 1);
  const name = `test_${randomBytes(6).toString('hex')}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = withDatabase(serverUrl(), name);
  const sql = connect(url);
  if (options.migrate !== false) await migrate(sql, MIGRATIONS);
  return {
    sql,
    url,
    async drop() {
      await sql.end({ timeout: 2 });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 2 });
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
