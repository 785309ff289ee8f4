/**
 * Pure planning for the scheduler: which process types run with how many replicas, and what to
 * start and stop so the runtime matches the desired state. No I/O here; tests use tables.
 */
import type { Instance, ProcessTable } from '../core/types.js';

export interface DesiredProcess {
  processType: string;
  replicas: number;
}

export interface FormationRow {
  processType: string;
  replicas: number;
}

/**
 * The formation to run for a release: the app's formation rows for the process types the
 * release declares. `web` runs one replica unless the formation says otherwise.
 */
export function desiredFormation(formation: FormationRow[], processes: ProcessTable): DesiredProcess[] {
  const replicas = new Map(formation.map((row) => [row.processType, row.replicas]));
  return Object.keys(processes)
    .filter((type) => type !== 'release')
    .map((type) => ({ processType: type, replicas: replicas.get(type) ?? (type === 'web' ? 1 : 0) }))
    .filter((p) => p.replicas > 0)
    .sort((a, b) => a.processType.localeCompare(b.processType));
}

/** How many web instances a release of the app will start (desiredFormation's rule for web), for prepareStarts. */
export function webReplicas(formation: FormationRow[]): number {
  return formation.find((row) => row.processType === 'web')?.replicas ?? 1;
}

export interface ReconcilePlan {
  start: Array<{ processType: string; slot: number }>;
  stop: string[];
}

/**
 * What to change so that exactly the desired replicas of the current release run: instances
 * of other releases, of undesired types, exited ones and extras are stopped; missing replicas
 * are started in the lowest free slots.
 */
export function planReconcile(desired: DesiredProcess[], release: number, actual: Instance[]): ReconcilePlan {
  const plan: ReconcilePlan = { start: [], stop: [] };
  const wanted = new Map(desired.map((d) => [d.processType, d.replicas]));
  const kept = new Map<string, number>();
  for (const instance of [...actual].sort((a, b) => a.id.localeCompare(b.id))) {
    const limit = wanted.get(instance.processType) ?? 0;
    const count = kept.get(instance.processType) ?? 0;
    if (instance.release === release && instance.state !== 'exited' && count < limit) {
      kept.set(instance.processType, count + 1);
    } else {
      plan.stop.push(instance.id);
    }
  }
  for (const { processType, replicas } of desired) {
    for (let slot = (kept.get(processType) ?? 0) + 1; slot <= replicas; slot++) plan.start.push({ processType, slot });
  }
  return plan;
}
