/**
 * Opens the control-plane store: the PostgreSQL at DATABASE_URL, or the embedded one in
 * DEVFLOW_HOME when none is given; then brings its schema up to date.
 */
import postgres from 'postgres';
import { DevflowError } from '../errors.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { startEmbeddedPostgres } from '../embedded-postgres/embedded.js';

export type Sql = postgres.Sql;

export interface Database {
  sql: Sql;
  url: string;
  embedded: boolean;
  /** The embedded server's WAL archive (real path), when DEVFLOW_PITR turned archiving on. */
  walArchive?: string;
  close(): Promise<void>;
}

export async function openDatabase(options: {
  url: string | undefined;
  embeddedDir: string;
  /** DEVFLOW_HOME/wal: the embedded server archives WAL there (point-in-time recovery). */
  walArchive?: string;
  log: (line: string) => void;
}): Promise<Database> {
  const cluster = options.url ? undefined : await startEmbeddedPostgres(options.embeddedDir, options.log, { walArchive: options.walArchive });
  const url = options.url ?? cluster!.url;
  const sql = connect(url);
  try {
    await migrate(sql, MIGRATIONS);
  } catch (err) {
    await sql.end({ timeout: 1 });
    await cluster?.stop();
    throw new DevflowError('internal', `could not prepare the database: ${String(err)}`, { cause: err });
  }
  return {
    sql,
    url,
    embedded: cluster !== undefined,
    ...(cluster?.walArchive ? { walArchive: cluster.walArchive } : {}),
    async close() {
      await sql.end({ timeout: 5 });
      await cluster?.stop();
    },
  };
}

export function connect(url: string, max = 10): Sql {
  return postgres(url, { max, onnotice: () => {}, idle_timeout: 60 });
}

/** Applies pending migrations; an advisory lock keeps two starting DevFlows from racing. */
export async function migrate(sql: Sql, migrations: readonly Migration[]): Promise<number[]> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(727001)`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;
    const rows = await tx<{ version: number }[]>`SELECT version FROM schema_migrations`;
    const applied = new Set(rows.map((r) => r.version));
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await tx.unsafe(migration.sql);
      await tx`INSERT INTO schema_migrations (version, name) VALUES (${migration.version}, ${migration.name})`;
      done.push(migration.version);
    }
    return done;
  });
}
