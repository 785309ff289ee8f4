/**
 * Each running instance's CPU and memory (issue 18, "Metrics"), from the runtime's readings
 * (scheduler/runtime/usage.ts: /proc on the process runtime, the engine's stats on docker):
 * folded, pure, into one row per instance (CPU share since the last reading of that instance)
 * and one per app and process type (CPU added up, memory added up, how many instances), the
 * columns app_metrics keeps beside the router's traffic for the same minute.
 */
import { cpuPercent, type UsageReading } from '../../scheduler/index.js';

export interface InstanceUsage {
  instance: string;
  app: string;
  processType: string;
  /** Percent of one core since the previous reading; null at an instance's first. */
  cpuPercent: number | null;
  memoryMb: number;
}

export interface ProcessTypeUsage {
  app: string;
  processType: string;
  cpuPercent: number | null;
  memoryMb: number;
  instances: number;
}

/** This pass's rows, and the readings to compare the next pass with (gone instances dropped). */
export function foldUsage(previous: ReadonlyMap<string, UsageReading>, readings: readonly UsageReading[]): { instances: InstanceUsage[]; next: Map<string, UsageReading> } {
  const instances = readings.map((r) => {
    const before = previous.get(r.instanceId);
    return {
      instance: r.instanceId, app: r.app, processType: r.processType,
      cpuPercent: before === undefined ? null : cpuPercent(before, r),
      memoryMb: r.memoryBytes / (1024 * 1024),
    };
  });
  return { instances, next: new Map(readings.map((r) => [r.instanceId, r])) };
}

export function byProcessType(instances: readonly InstanceUsage[]): ProcessTypeUsage[] {
  const groups = new Map<string, ProcessTypeUsage>();
  for (const i of instances) {
    const key = `${i.app}\u0000${i.processType}`;
    const group = groups.get(key) ?? { app: i.app, processType: i.processType, cpuPercent: null, memoryMb: 0, instances: 0 };
    if (i.cpuPercent !== null) group.cpuPercent = (group.cpuPercent ?? 0) + i.cpuPercent;
    group.memoryMb += i.memoryMb;
    group.instances += 1;
    groups.set(key, group);
  }
  return [...groups.values()];
}
