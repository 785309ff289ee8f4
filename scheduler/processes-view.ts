/**
 * What `devflow ps` and GET /apps/{app}/processes show, pure: the formation of the current
 * release's process types, and one row per instance with a user-facing state. A slot whose
 * instance keeps exiting is `crashed`, with its last output lines, even while no instance of
 * it exists (it waits for its next restart).
 */
import type { CrashRecord } from '../core/store/crashes.js';
import type { Instance, ProcessTable } from '../core/types.js';
import { inBackoff, isCrashLoop } from './crash-loop.js';
import { RELEASE_PROCESS } from './release-phase.js';
import { slotOf } from './scale.js';
import { DEFAULT_SIZE, limitsOf } from './sizes.js';

export type InstanceView = {
  id: string | null;
  type: string;
  slot: number;
  release: number;
  state: 'starting' | 'up' | 'restarting' | 'crashed' | 'exited';
  lastLines?: string[];
};

export interface FormationView {
  type: string;
  replicas: number;
  size: string;
  memoryMb: number;
  cpus: number;
}

export interface ProcessesView {
  release: number | null;
  formation: FormationView[];
  instances: InstanceView[];
}

export function formationView(type: string, replicas: number, size: string): FormationView {
  return { type, replicas, size, ...limitsOf(size) };
}

export function describeFormation(
  rows: Array<{ processType: string; replicas: number; size: string }>,
  processes: ProcessTable,
): FormationView[] {
  return Object.keys(processes).filter((t) => t !== RELEASE_PROCESS).sort().map((type) => {
    const row = rows.find((r) => r.processType === type);
    return formationView(type, row?.replicas ?? (type === 'web' ? 1 : 0), row?.size ?? DEFAULT_SIZE);
  });
}

export function describeInstances(
  instances: Instance[],
  crashes: CrashRecord[],
  current: number | null,
  now: Date,
): InstanceView[] {
  const crashOf = (type: string, slot: number) => crashes.find((c) => c.processType === type && c.slot === slot);
  const rows: InstanceView[] = instances.map((i) => {
    const slot = slotOf(i);
    const crash = crashOf(i.processType, slot);
    const looping = i.release === current && isCrashLoop(crash, i.release, now);
    const state = i.state === 'running' ? 'up' : i.state === 'starting' ? 'starting' : looping ? 'crashed' : 'exited';
    return { id: i.id, type: i.processType, slot, release: i.release, state, ...(state === 'crashed' ? { lastLines: crash?.lastLines ?? [] } : {}) };
  });
  if (current !== null) rows.push(...waitingSlots(instances, crashes, current, now));
  return rows.sort((a, b) => a.type.localeCompare(b.type) || a.slot - b.slot || b.release - a.release);
}

/** Slots of the current release with no instance at all, waiting out a crash backoff. */
function waitingSlots(instances: Instance[], crashes: CrashRecord[], current: number, now: Date): InstanceView[] {
  return crashes
    .filter((c) => c.release === current)
    .filter((c) => !instances.some((i) => i.release === current && i.processType === c.processType && slotOf(i) === c.slot))
    .filter((c) => isCrashLoop(c, current, now) || inBackoff(c, current, now))
    .map((c) => ({
      id: null, type: c.processType, slot: c.slot, release: current,
      state: isCrashLoop(c, current, now) ? 'crashed' as const : 'restarting' as const, lastLines: c.lastLines,
    }));
}
