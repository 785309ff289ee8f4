/**
 * The usage ledger's instance intervals (migration 047): opened when a runtime has started an
 * instance or a one-off run, closed when it was stopped. Times are the database's clock
 * (`now()`), one clock for every DevFlow replica and every row.
 */
import type { Sql } from '../core/store/database.js';

export interface OpenInterval {
  instanceId: string;
  appId: number;
  app: string;
  processType: string;
  oneOff: boolean;
  size: string;
  memoryMb: number | undefined;
  cpus: number | undefined;
  runtime: string;
}

export async function openInterval(sql: Sql, i: OpenInterval): Promise<void> {
  // A runtime may hand out an id again (a process runtime after a restart): an interval still
  // open under that id belongs to an instance that is gone, so it ends where it was last seen.
  await sql.begin(async (tx) => {
    await tx`UPDATE usage_instances SET stopped_at = greatest(last_seen_at, started_at)
      WHERE instance_id = ${i.instanceId} AND stopped_at IS NULL`;
    // The team that owns the app now is the one its use is billed to (team rollups).
    await tx`INSERT INTO usage_instances (instance_id, app_id, app, team_id, process_type, one_off, size, memory_mb, cpus, runtime, started_at, last_seen_at)
      VALUES (${i.instanceId}, ${i.appId}, ${i.app}, (SELECT team_id FROM apps WHERE id = ${i.appId}), ${i.processType}, ${i.oneOff}, ${i.size},
        ${i.memoryMb ?? null}, ${i.cpus ?? null}, ${i.runtime}, now(), now())`;
  });
}

export async function closeInterval(sql: Sql, instanceId: string): Promise<void> {
  await sql`UPDATE usage_instances SET stopped_at = now(), last_seen_at = now() WHERE instance_id = ${instanceId} AND stopped_at IS NULL`;
}

/**
 * Once a minute and at start: intervals of instances the runtime still has are seen now;
 * intervals of instances it no longer has (they went while DevFlow was down, or their stop was
 * lost) close where they were last seen. `listedAt` is the database's time just before the
 * runtime was listed: an interval opened after it is not in the list yet and stays open.
 */
export async function reconcileIntervals(sql: Sql, runtime: string, present: string[], listedAt: Date): Promise<{ closed: number }> {
  return sql.begin(async (tx) => {
    await tx`UPDATE usage_instances SET last_seen_at = now()
      WHERE stopped_at IS NULL AND runtime = ${runtime} AND instance_id = ANY (${present}::text[])`;
    const closed = await tx`UPDATE usage_instances SET stopped_at = greatest(last_seen_at, started_at)
      WHERE stopped_at IS NULL AND runtime = ${runtime} AND NOT one_off AND started_at < ${listedAt}
        AND NOT (instance_id = ANY (${present}::text[]))`;
    return { closed: closed.count };
  });
}

export async function databaseNow(sql: Sql): Promise<Date> {
  const [row] = await sql<Array<{ now: Date }>>`SELECT now()`;
  return row!.now;
}
