/**
 * Database branching against the real PostgreSQL the tests share (a superuser connection, as
 * DevFlow has to its platform server), with Debian's pg_dump/psql for the dump method.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDatabaseCredentials } from '../../core/store/app-databases.js';
import { connect, type Sql } from '../../core/store/database.js';
import { serverUrl, withDatabase } from '../../tests/support/postgres.js';
import { branchDatabase, dropBranch } from './database-branch.js';

let sql: Sql;
let parent: AppDatabaseCredentials;
const made: AppDatabaseCredentials[] = [];

function credentials(label: string): AppDatabaseCredentials {
  const name = `app_${label}_${randomBytes(4).toString('hex')}`;
  const creds = { database: name, role: name, password: randomBytes(12).toString('base64url') };
  made.push(creds);
  return creds;
}

function as(creds: AppDatabaseCredentials, database = creds.database): Sql {
  const url = new URL(withDatabase(serverUrl(), database));
  url.username = creds.role;
  url.password = creds.password;
  return connect(url.toString(), 1);
}

beforeAll(async () => {
  sql = connect(serverUrl(), 2);
  parent = credentials('parent');
  await sql.unsafe(`CREATE ROLE "${parent.role}" LOGIN PASSWORD '${parent.password}'`);
  await sql.unsafe(`CREATE DATABASE "${parent.database}" OWNER "${parent.role}"`);
  await sql.unsafe(`REVOKE ALL ON DATABASE "${parent.database}" FROM PUBLIC`);
  const app = as(parent);
  await app`CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)`;
  await app`CREATE VIEW note_count AS SELECT count(*) AS n FROM notes`;
  await app`INSERT INTO notes (body) SELECT 'note ' || g FROM generate_series(1, 500) g`;
  await app.end();
});

afterAll(async () => {
  for (const creds of made.reverse()) await dropBranch(sql, creds);
  await sql.end();
});

async function checkBranch(child: AppDatabaseCredentials): Promise<void> {
  const branch = as(child);
  expect((await branch`SELECT n FROM note_count`)[0]!.n).toBe('500');
  // The preview's role owns its copy: it can write, including through the serial sequence.
  await branch`INSERT INTO notes (body) VALUES ('only in the preview')`;
  await branch`ALTER TABLE notes ADD COLUMN extra text`;
  expect((await branch`SELECT n FROM note_count`)[0]!.n).toBe('501');
  await branch.end();
  const original = as(parent);
  expect((await original`SELECT count(*)::int AS n FROM notes`)[0]!.n).toBe(500);
  await original.end();
  // …and cannot reach the parent's database.
  await expect(as(child, parent.database)`SELECT 1`).rejects.toThrow(/permission denied|not permitted/);
}

describe('branchDatabase', () => {
  it('copies with TEMPLATE when nobody is connected to the parent', async () => {
    const child = credentials('tpl');
    const result = await branchDatabase({ sql, serverUrl: serverUrl(), source: parent, target: child });
    expect(result.method).toBe('template');
    await checkBranch(child);
  });

  it('streams pg_dump into psql while the parent app holds a session, without blocking it', async () => {
    const session = as(parent);
    await session`SELECT 1`;
    const child = credentials('dump');
    const branching = branchDatabase({ sql, serverUrl: serverUrl(), source: parent, target: child });
    // The parent keeps working while the branch is made.
    await session`INSERT INTO notes (body) VALUES ('written during the branch')`;
    await session`DELETE FROM notes WHERE body = 'written during the branch'`;
    const result = await branching;
    expect(result.method).toBe('dump');
    await session.end();
    await checkBranch(child);
  });

  it('leaves nothing behind when the copy fails', async () => {
    const child = credentials('bad');
    await expect(branchDatabase({ sql, serverUrl: serverUrl(), source: { ...parent, database: 'no_such_db' }, target: child }))
      .rejects.toThrow(/could not branch the database/);
    expect(await sql`SELECT 1 FROM pg_database WHERE datname = ${child.database}`).toHaveLength(0);
    expect(await sql`SELECT 1 FROM pg_roles WHERE rolname = ${child.role}`).toHaveLength(0);
  });
});
