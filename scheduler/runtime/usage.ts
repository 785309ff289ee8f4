/**
 * CPU and memory of running instances (issue 18, "Metrics"), read the way each runtime keeps
 * them, pure: the process runtime sums the instance's process group from /proc/<pid>/stat
 * (proc(5): utime and stime in clock ticks, rss in pages); the docker runtime reads the
 * engine's stats (GET /containers/{id}/stats, `cpu_stats.cpu_usage.total_usage` in ns, memory as
 * `docker stats` shows it: usage less the inactive page cache). A reading is cumulative CPU
 * time and current memory; the CPU share comes from two readings (cpuPercent).
 */
import { splitProcStat } from './process-plan.js';

export interface UsageReading {
  instanceId: string;
  app: string;
  processType: string;
  /** CPU time used since the instance started, nanoseconds. */
  cpuNs: number;
  memoryBytes: number;
  /** When it was read, ms since the epoch. */
  at: number;
}

/** CPU use between two readings of one instance, in percent of one core (200 = two cores busy). */
export function cpuPercent(before: Pick<UsageReading, 'cpuNs' | 'at'>, after: Pick<UsageReading, 'cpuNs' | 'at'>): number | null {
  const wallNs = (after.at - before.at) * 1e6;
  const used = after.cpuNs - before.cpuNs;
  // A restarted instance counts from zero again: no share from that pair.
  if (!(wallNs > 0) || used < 0) return null;
  return (used / wallNs) * 100;
}

/** USER_HZ, the tick /proc counts CPU time in: 100 on every Linux architecture DevFlow runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;
export const PAGE_BYTES = 4096;

export interface ProcUsage {
  pid: number;
  pgrp: number;
  cpuTicks: number;
  rssPages: number;
}

/** The usage fields of one /proc/<pid>/stat line (the command may hold spaces and parentheses). */
export function parseProcUsage(text: string): ProcUsage | null {
  const split = splitProcStat(text);
  if (split === null) return null;
  const { pid, fields } = split;
  const [pgrp, utime, stime, rss] = [fields[2], fields[11], fields[12], fields[21]].map(Number);
  if (![pgrp, utime, stime, rss].every((n) => Number.isInteger(n))) return null;
  return { pid, pgrp: pgrp!, cpuTicks: utime! + stime!, rssPages: rss! };
}

/** One process group's usage: every process in it (a launcher, npm, node) added up. */
export function groupUsage(processes: Iterable<ProcUsage>, pgid: number): { cpuNs: number; memoryBytes: number } | null {
  let cpuTicks = 0;
  let rssPages = 0;
  let found = false;
  for (const p of processes) {
    if (p.pgrp !== pgid) continue;
    found = true;
    cpuTicks += p.cpuTicks;
    rssPages += p.rssPages;
  }
  return found ? { cpuNs: (cpuTicks * 1e9) / CLOCK_TICKS_PER_SECOND, memoryBytes: rssPages * PAGE_BYTES } : null;
}

/** The part of the engine's stats answer read here (cgroup v2 and v1 field names). */
export interface EngineStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; stats?: Record<string, number | undefined> };
}

/** CPU and memory from one stats answer; memory as the docker CLI computes it. */
export function engineStatsUsage(stats: EngineStats): { cpuNs: number; memoryBytes: number } | null {
  const cpuNs = stats.cpu_stats?.cpu_usage?.total_usage;
  const usage = stats.memory_stats?.usage;
  if (cpuNs === undefined || usage === undefined) return null;
  const s = stats.memory_stats?.stats ?? {};
  // cgroup v2 calls it inactive_file, v1 total_inactive_file; the CLI subtracts whichever exists.
  const cache = s.inactive_file ?? s.total_inactive_file ?? 0;
  return { cpuNs, memoryBytes: cache < usage ? usage - cache : usage };
}
