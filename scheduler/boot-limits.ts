/**
 * CPU while an instance boots (issue 15): an app's start-up (Node loading its modules, a JIT
 * warming up) is CPU-bound, and under its size's cap (half a CPU for `standard`) it took twice
 * as long. Where the runtime can change a cap on a running instance (`docker update --cpus`, a
 * cgroup's cpu.max), an instance boots without its CPU cap and gets it once healthy, before it
 * takes requests. Memory stays capped throughout: lifting it could not be undone safely.
 */
import type { LogSink } from '../core/types.js';
import type { Instance } from '../core/types.js';
import type { InstanceSpec, RuntimeDriver } from './runtime/types.js';

export interface Booting {
  instance: Instance;
  /** The size's CPU cap the instance gets once healthy; undefined when it booted with it (or has none). */
  cpusOnceHealthy: number | undefined;
}

/** The spec an instance starts with, and the cap to apply once it is healthy. */
export function bootSpec(spec: InstanceSpec, canSetLive: boolean): { spec: InstanceSpec; cpusOnceHealthy: number | undefined } {
  if (!canSetLive || spec.cpus === undefined) return { spec, cpusOnceHealthy: undefined };
  const { cpus, ...uncapped } = spec;
  return { spec: uncapped, cpusOnceHealthy: cpus };
}

/** Caps every instance that booted uncapped; one that cannot be capped is stopped by the caller's failure path. */
export async function applyCapsOnceHealthy(runtime: RuntimeDriver, booted: readonly Booting[], log: LogSink): Promise<void> {
  await Promise.all(booted.map(async ({ instance, cpusOnceHealthy }) => {
    if (cpusOnceHealthy === undefined || !runtime.setCpuLimit) return;
    await runtime.setCpuLimit(instance.id, cpusOnceHealthy);
  }));
  if (booted.some((b) => b.cpusOnceHealthy !== undefined)) log.line('       CPU limit applied now that it is healthy');
}
