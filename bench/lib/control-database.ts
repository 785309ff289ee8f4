/**
 * A benchmark's own embedded PostgreSQL with a migrated control database, for benches that
 * drive a role in process (realtime, backups) instead of a whole `devflow up`.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../core/embedded-postgres/embedded.js';
import { connect, migrate, type Sql } from '../../core/store/database.js';
import { MIGRATIONS } from '../../core/store/migrations.js';

export interface BenchControlDatabase {
  /** The control database's URL, as the server's superuser. */
  url: string;
  sql: Sql;
  /** A connection to the server's default database, for CREATE DATABASE and the like. */
  admin: Sql;
  /** Closes both connections, stops the server and removes its files. */
  stop(): Promise<void>;
}

export async function startControlDatabase(name: string, poolSize = 10): Promise<BenchControlDatabase> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `devflow-bench-${name}-`));
  await fs.chmod(dir, 0o755);
  const cluster = await startEmbeddedPostgres(dir, () => {});
  const admin = connect(cluster.url, 1);
  await admin.unsafe('CREATE DATABASE bench_control');
  const url = new URL(cluster.url);
  url.pathname = '/bench_control';
  const sql = connect(url.toString(), poolSize);
  await migrate(sql, MIGRATIONS);
  return {
    url: url.toString(), sql, admin,
    async stop() {
      await sql.end().catch(() => undefined);
      await admin.end();
      await cluster.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
