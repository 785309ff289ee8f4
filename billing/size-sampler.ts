/**
 * Database and storage bytes per app (issue 20), sampled once an hour into the hour's row of
 * usage_sizes. Database bytes are PostgreSQL's `pg_database_size` of the app's own database;
 * storage bytes are the sizes the backend's storage recorded for each object it holds
 * (`storage.objects.metadata.size`, as Supabase Storage keeps it), read in the app's database
 * when its backend made that schema. Sizes are read from the server DevFlow runs on, as the
 * control-plane role, one short connection per app database.
 */
import { errorMessage } from '../core/errors.js';
import { connect, type Sql } from '../core/store/database.js';
import { hourOf } from './traffic-meter.js';

export interface SizeSample {
  appId: number;
  app: string;
  teamId: number;
  databaseBytes: number;
  storageBytes: number | null;
}

/** The URL of `database` on the server `serverUrl` points at, as the same role. */
export function databaseUrlOn(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function storageBytes(serverUrl: string, database: string): Promise<number | null> {
  const sql = connect(databaseUrlOn(serverUrl, database), 1);
  try {
    const [schema] = await sql<Array<{ present: boolean }>>`SELECT to_regclass('storage.objects') IS NOT NULL AS present`;
    if (!schema!.present) return null;
    const [row] = await sql<Array<{ bytes: number }>>`
      SELECT coalesce(sum((metadata->>'size')::bigint), 0)::float8 AS bytes FROM storage.objects`;
    return row!.bytes;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Reads every app database's sizes; an app whose database cannot be read is skipped and logged. */
export async function sampleSizes(deps: { sql: Sql; serverUrl: string; log(line: string): void }): Promise<SizeSample[]> {
  const rows = await deps.sql<Array<{ app_id: number; app: string; team_id: number; database: string; bytes: number | null }>>`
    SELECT a.id AS app_id, a.name AS app, a.team_id, d.database, pg_database_size(d.database)::float8 AS bytes
    FROM app_databases d JOIN apps a ON a.id = d.app_id
    WHERE EXISTS (SELECT 1 FROM pg_database WHERE datname = d.database)`;
  const samples: SizeSample[] = [];
  for (const r of rows) {
    try {
      samples.push({ appId: r.app_id, app: r.app, teamId: r.team_id, databaseBytes: r.bytes ?? 0, storageBytes: await storageBytes(deps.serverUrl, r.database) });
    } catch (err) {
      deps.log(`metering: could not read the sizes of ${r.app}'s database: ${errorMessage(err)}`);
    }
  }
  return samples;
}

/** One row per app and hour: a second sample in the same hour replaces the first. */
export async function storeSizes(sql: Sql, at: Date, samples: SizeSample[]): Promise<void> {
  const hour = hourOf(at);
  for (const s of samples) {
    await sql`
      INSERT INTO usage_sizes (app_id, app, team_id, hour, database_bytes, storage_bytes)
      VALUES (${s.appId}, ${s.app}, ${s.teamId}, ${hour}, ${s.databaseBytes}, ${s.storageBytes})
      ON CONFLICT (app_id, hour) DO UPDATE SET database_bytes = EXCLUDED.database_bytes, storage_bytes = EXCLUDED.storage_bytes`;
  }
}
