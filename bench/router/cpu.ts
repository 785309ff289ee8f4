/**
 * CPU time a process has used, from /proc/<pid>/stat, so a benchmark can report the cost of one
 * request in user and system time. Requests per second between two proxies move with whatever
 * else the two cores run; the CPU each spends per request is the steadier comparison.
 */
import fs from 'node:fs';
import { procStatFields } from '../../core/proc-stat.js';

export interface CpuTime {
  userSeconds: number;
  systemSeconds: number;
}

/** Linux reports these fields in clock ticks; USER_HZ is 100 on every Linux architecture DevFlow runs on. */
const TICKS_PER_SECOND = 100;

/** Reads utime and stime (fields 14 and 15) of a /proc/<pid>/stat line. */
export function parseProcStat(line: string): CpuTime {
  const fields = procStatFields(line);
  return { userSeconds: Number(fields[11]) / TICKS_PER_SECOND, systemSeconds: Number(fields[12]) / TICKS_PER_SECOND };
}

export function cpuTime(pid: number): CpuTime {
  return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** The children of a process (nginx's master has one worker here). */
export function childPids(pid: number): number[] {
  return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}
