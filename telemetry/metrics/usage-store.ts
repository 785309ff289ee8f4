/**
 * Instance CPU and memory in the store (instance_usage, migration 054): one row per instance
 * and minute, kept a day; the per-process-type sums go into app_metrics beside the router's
 * traffic of the same minute (store.ts adds rather than replaces, so the two writers meet).
 */
import type { Sql } from '../../core/store/database.js';
import { addMetricRows, type NewMetricRow } from './store.js';
import { byProcessType, type InstanceUsage } from './usage.js';

const KEPT_MS = 86_400_000;
const NO_TRAFFIC = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };

export async function writeUsage(sql: Sql, instances: readonly InstanceUsage[], minute: Date): Promise<void> {
  if (instances.length === 0) return;
  const names = [...new Set(instances.map((i) => i.app))];
  const ids = new Map((await sql<{ id: number; name: string }[]>`SELECT id, name FROM apps WHERE name IN ${sql(names)}`).map((a) => [a.name, a.id]));
  const known = instances.filter((i) => ids.has(i.app));
  if (known.length === 0) return;
  await sql`
    INSERT INTO instance_usage ${sql(known.map((i) => ({
      app_id: ids.get(i.app)!, instance: i.instance, process_type: i.processType, at: minute, cpu_percent: i.cpuPercent, memory_mb: i.memoryMb,
    })))}
    ON CONFLICT (app_id, instance, at) DO UPDATE SET cpu_percent = EXCLUDED.cpu_percent, memory_mb = EXCLUDED.memory_mb`;
  const rows: NewMetricRow[] = byProcessType(known).map((t) => ({
    appId: ids.get(t.app)!, processType: t.processType, resolution: '1m', at: minute, requests: 0, status: NO_TRAFFIC,
    latencyBuckets: null, latencySum: 0, cpuPercent: t.cpuPercent, memoryMb: t.memoryMb, instances: t.instances,
  }));
  await addMetricRows(sql, rows);
}

export interface InstanceUsageView {
  instance: string;
  processType: string;
  at: Date;
  cpuPercent: number | null;
  memoryMb: number | null;
}

/** Each instance's latest row within the range. */
export async function latestInstanceUsage(sql: Sql, appId: number, since: Date, until: Date): Promise<InstanceUsageView[]> {
  const rows = await sql<Array<{ instance: string; process_type: string; at: Date; cpu_percent: number | null; memory_mb: number | null }>>`
    SELECT DISTINCT ON (instance) instance, process_type, at, cpu_percent, memory_mb FROM instance_usage
    WHERE app_id = ${appId} AND at >= ${since} AND at < ${until} ORDER BY instance, at DESC`;
  return rows.map((r) => ({ instance: r.instance, processType: r.process_type, at: r.at, cpuPercent: r.cpu_percent, memoryMb: r.memory_mb }));
}

export async function pruneUsage(sql: Sql, now: Date): Promise<void> {
  await sql`DELETE FROM instance_usage WHERE at < ${new Date(now.getTime() - KEPT_MS)}`;
}
