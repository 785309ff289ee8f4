/**
 * Crash records, one per process slot of an app: how often its instance exited lately, when it
 * may be restarted, and its last output. The supervisor writes them; `ps` and routes read them.
 */
import type { Sql } from './database.js';

export interface CrashRecord {
  release: number;
  processType: string;
  slot: number;
  exits: number;
  firstExitAt: Date;
  lastExitAt: Date;
  restartAt: Date;
  lastLines: string[];
  /**
   * The exits at which the slot counts as crashed: DEVFLOW_MAX_RESTARTS + 1 when the exit was
   * recorded (scheduler/crash-loop.ts); 3 for records made before the setting existed.
   */
  crashExits: number;
}

interface CrashRow {
  release: number;
  process_type: string;
  slot: number;
  exits: number;
  first_exit_at: Date;
  last_exit_at: Date;
  restart_at: Date;
  last_lines: string[];
  crash_exits: number;
}

function toRecord(row: CrashRow): CrashRecord {
  return {
    release: row.release,
    processType: row.process_type,
    slot: row.slot,
    exits: row.exits,
    firstExitAt: row.first_exit_at,
    lastExitAt: row.last_exit_at,
    restartAt: row.restart_at,
    lastLines: row.last_lines,
    crashExits: row.crash_exits,
  };
}

export async function listCrashes(sql: Sql, appId: number): Promise<CrashRecord[]> {
  const rows = await sql<CrashRow[]>`
    SELECT * FROM process_crashes WHERE app_id = ${appId} ORDER BY process_type, slot`;
  return rows.map(toRecord);
}

/** Every app's crash records, by app id: one query for the route sync. */
export async function listAllCrashes(sql: Sql): Promise<Map<number, CrashRecord[]>> {
  const rows = await sql<(CrashRow & { app_id: number })[]>`SELECT * FROM process_crashes ORDER BY app_id`;
  const byApp = new Map<number, CrashRecord[]>();
  for (const row of rows) byApp.set(row.app_id, [...(byApp.get(row.app_id) ?? []), toRecord(row)]);
  return byApp;
}

export async function saveCrash(sql: Sql, appId: number, record: CrashRecord): Promise<void> {
  await sql`
    INSERT INTO process_crashes (app_id, release, process_type, slot, exits, first_exit_at, last_exit_at, restart_at, last_lines, crash_exits)
    VALUES (${appId}, ${record.release}, ${record.processType}, ${record.slot}, ${record.exits}, ${record.firstExitAt},
            ${record.lastExitAt}, ${record.restartAt}, ${sql.json(record.lastLines)}, ${record.crashExits})
    ON CONFLICT (app_id, process_type, slot) DO UPDATE SET
      release = EXCLUDED.release, exits = EXCLUDED.exits, first_exit_at = EXCLUDED.first_exit_at,
      last_exit_at = EXCLUDED.last_exit_at, restart_at = EXCLUDED.restart_at, last_lines = EXCLUDED.last_lines,
      crash_exits = EXCLUDED.crash_exits`;
}

/** A new release or a new formation starts with a clean slate. */
export async function clearCrashes(sql: Sql, appId: number, processType?: string): Promise<void> {
  if (processType === undefined) await sql`DELETE FROM process_crashes WHERE app_id = ${appId}`;
  else await sql`DELETE FROM process_crashes WHERE app_id = ${appId} AND process_type = ${processType}`;
}
