/**
 * The database studio's server half on the real PostgreSQL: the SQL editor's answers (last
 * statement, duplicate column names, caps, timeouts, errors with line and column), the schema
 * view (columns, keys, row-level security and policies) and the history (own queries, newest 50).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { parseAppName } from '../../core/names.js';
import { createApp } from '../../core/store/apps.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { HISTORY_KEPT, queryHistory, recordQuery } from './history.js';
import { lineAndColumn, runQuery, SqlError } from './query.js';
import { readSchema } from './schema.js';

describe('lineAndColumn', () => {
  it.each([
    ['select 1', 1, 1, 1],
    ['select 1', 8, 1, 8],
    ['select\n  nope', 10, 2, 3],
    ['-- é\nselect x', 13, 2, 8],
  ])('%j at %i is line %i, column %i', (text, position, line, column) => {
    expect(lineAndColumn(text, position)).toEqual({ line, column });
  });
});

describe('the SQL editor and the schema view', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: true });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('answers with the last statement: command, row count, columns (even repeated) and rows as arrays', async () => {
    const created = await runQuery(db.sql, 'create table notes (id int primary key, body text, at timestamptz, raw bytea); insert into notes values (1, \'a\', \'2026-12-05T10:00:00Z\', \'\\x0102\'), (2, \'b\', null, null)');
    expect(created).toMatchObject({ command: 'INSERT', rowCount: 2, columns: [], rows: [] });
    const read = await runQuery(db.sql, 'select id, body, id as body, at, raw from notes order by id');
    expect(read).toEqual({
      command: 'SELECT', rowCount: 2, columns: ['id', 'body', 'body', 'at', 'raw'], truncated: false,
      rows: [[1, 'a', 1, '2026-12-05T10:00:00.000Z', '\\x0102'], [2, 'b', 2, null, null]],
    });
    expect(await runQuery(db.sql, "update notes set body = 'c' where id = 2")).toMatchObject({ command: 'UPDATE', rowCount: 1 });
  });

  it('caps the rows it returns and says so', async () => {
    const res = await runQuery(db.sql, 'select g from generate_series(1, 5) g', { timeoutMs: 5000, maxRows: 3 });
    expect(res.rows).toEqual([[1], [2], [3]]);
    expect(res.truncated).toBe(true);
    expect(res.rowCount).toBe(5);
  });

  it("reports PostgreSQL's error with its SQLSTATE, line and column, and nothing of a failed batch stays", async () => {
    const err = await runQuery(db.sql, "insert into notes values (3, 'kept?');\nselect nope\n  from notes").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).sqlState).toBe('42703');
    expect((err as SqlError).message).toBe('42703: column "nope" does not exist (line 2, column 8)');
    expect((await runQuery(db.sql, 'select count(*)::int from notes')).rows).toEqual([[2]]);
  });

  it('stops a statement at the time limit', async () => {
    const err = await runQuery(db.sql, 'select pg_sleep(5)', { timeoutMs: 200, maxRows: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).sqlState).toBe('57014');
  });

  it('refuses empty SQL with a message', async () => {
    await expect(runQuery(db.sql, '  \n')).rejects.toThrow(new InvalidInputError('the query is empty: type some SQL'));
  });

  it('shows tables with columns, keys, row-level security and policies', async () => {
    await db.sql.unsafe(`
      create table lists (id bigint generated always as identity primary key, name text not null);
      create table todos (id bigint primary key, list_id bigint references lists (id), title text not null default 'untitled');
      alter table todos enable row level security;
      create policy "read all" on todos for select to public using (true);
      create view open_todos as select id, title from todos;`);
    const tables = await readSchema(db.sql);
    const todos = tables.find((t) => t.schema === 'public' && t.name === 'todos')!;
    expect(todos).toMatchObject({ kind: 'table', rowLevelSecurity: true });
    expect(todos.columns).toEqual([
      { name: 'id', type: 'bigint', nullable: false, default: null, primaryKey: true },
      { name: 'list_id', type: 'bigint', nullable: true, default: null, primaryKey: false },
      { name: 'title', type: 'text', nullable: false, default: "'untitled'::text", primaryKey: false },
    ]);
    expect(todos.foreignKeys).toEqual([{ name: 'todos_list_id_fkey', columns: ['list_id'], references: { schema: 'public', table: 'lists', columns: ['id'] } }]);
    expect(todos.policies).toEqual([{ name: 'read all', command: 'SELECT', permissive: true, roles: ['public'], using: 'true', check: null }]);
    expect(tables.find((t) => t.name === 'open_todos')).toMatchObject({ kind: 'view', rowLevelSecurity: false, policies: [] });
    expect(tables.some((t) => t.schema === 'pg_catalog' || t.schema === 'information_schema')).toBe(false);
    expect(tables.findIndex((t) => t.schema === 'public')).toBe(0);
  });

  it("keeps each person's newest queries per app, and only theirs", async () => {
    const app = await createApp(db.sql, parseAppName('shop'));
    for (let i = 1; i <= HISTORY_KEPT + 5; i++) await recordQuery(db.sql, { appId: app.id, actor: 'ada', sql: `select ${i}`, ok: i % 2 === 0 });
    await recordQuery(db.sql, { appId: app.id, actor: 'bob', sql: 'select secret', ok: true });
    const ada = await queryHistory(db.sql, app.id, 'ada');
    expect(ada).toHaveLength(HISTORY_KEPT);
    expect(ada[0]).toMatchObject({ sql: `select ${HISTORY_KEPT + 5}`, ok: false });
    expect(ada.at(-1)!.sql).toBe('select 6');
    expect(ada.some((q) => q.sql === 'select secret')).toBe(false);
  });
});
