/**
 * CPU and memory that tasks report themselves (agent/usage-report.ts: `container.cpu.time` and
 * `container.memory.usage` over OTLP, stored as app_metric_points), as runtime usage readings.
 * This is how the swarm runtime gets figures for tasks on any node: the manager's engine only
 * sees containers on its own node, so the swarm driver's engine readings are kept only for apps
 * whose tasks do not report (apps without the Node agent), on this node (README "Swarm runtime").
 */
import type { Sql } from '../../core/store/database.js';
import type { UsageReading } from '../../scheduler/index.js';
import { CPU_METRIC, MEMORY_METRIC, REPORT_EVERY_MS } from '../agent/usage-report.js';

/** A task that has not reported for this long has stopped (or cannot reach DevFlow). */
export const REPORT_FRESH_MS = 3 * REPORT_EVERY_MS;

export interface ReportedPoint {
  app: string;
  /** The task's resource attributes (telemetry/env.ts, scheduler/instance-spec.ts). */
  instance: string;
  processType: string | null;
  version: string | null;
  name: string;
  value: number;
  at: Date;
}

/** Pairs each task's newest CPU and memory points into a reading; tasks missing either are left out. */
export function readingsOf(points: readonly ReportedPoint[]): UsageReading[] {
  const tasks = new Map<string, { cpu?: ReportedPoint; memory?: ReportedPoint }>();
  for (const p of points) {
    const key = `${p.app}\u0000${p.instance}\u0000${p.version ?? ''}`;
    const task = tasks.get(key) ?? {};
    if (p.name === CPU_METRIC && (task.cpu === undefined || p.at > task.cpu.at)) task.cpu = p;
    if (p.name === MEMORY_METRIC && (task.memory === undefined || p.at > task.memory.at)) task.memory = p;
    tasks.set(key, task);
  }
  const readings: UsageReading[] = [];
  for (const { cpu, memory } of tasks.values()) {
    if (cpu === undefined || memory === undefined) continue;
    const processType = cpu.processType ?? cpu.instance.split('.')[0]!;
    readings.push({
      // Unique across apps and releases (the sampler pairs readings by it): app, slot, release.
      instanceId: `${cpu.app}-${cpu.instance}${cpu.version === null ? '' : `-${cpu.version}`}`,
      app: cpu.app, processType, cpuNs: Math.round(cpu.value * 1e9), memoryBytes: memory.value, at: cpu.at.getTime(),
    });
  }
  return readings;
}

/**
 * The runtime's readings, except for the apps and process types whose tasks report their own:
 * those come from the reports alone, so a task is never counted twice.
 */
export function preferReported(engine: readonly UsageReading[], reported: readonly UsageReading[]): UsageReading[] {
  const reporting = new Set(reported.map((r) => `${r.app}\u0000${r.processType}`));
  return [...engine.filter((r) => !reporting.has(`${r.app}\u0000${r.processType}`)), ...reported];
}

export async function readReportedUsage(sql: Sql, now: number = Date.now()): Promise<UsageReading[]> {
  const rows = await sql<Array<{ app: string; instance: string; process_type: string | null; version: string | null; name: string; value: number; at: Date }>>`
    SELECT DISTINCT ON (p.app_id, p.attributes->>'service.instance.id', p.attributes->>'service.version', p.name)
      a.name AS app, p.attributes->>'service.instance.id' AS instance, p.attributes->>'devflow.process.type' AS process_type,
      p.attributes->>'service.version' AS version, p.name, p.value, p.at
    FROM app_metric_points p JOIN apps a ON a.id = p.app_id
    WHERE p.name IN (${CPU_METRIC}, ${MEMORY_METRIC}) AND p.at > ${new Date(now - REPORT_FRESH_MS)}
      AND p.value IS NOT NULL AND p.attributes ? 'service.instance.id'
    ORDER BY p.app_id, p.attributes->>'service.instance.id', p.attributes->>'service.version', p.name, p.at DESC`;
  return readingsOf(rows.map((r) => ({ app: r.app, instance: r.instance, processType: r.process_type, version: r.version, name: r.name, value: Number(r.value), at: r.at })));
}

/** The swarm driver's readUsage with the tasks' own reports preferred (telemetry/loops.ts). */
export function withReportedUsage(sql: Sql, runtime: { readUsage?(): Promise<UsageReading[]> }): { readUsage(): Promise<UsageReading[]> } {
  return {
    readUsage: async () => preferReported((await runtime.readUsage?.()) ?? [], await readReportedUsage(sql)),
  };
}
