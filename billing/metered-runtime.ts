/**
 * Metering at the one place every instance passes through (issue 20): the runtime driver. A
 * metered driver is the driver itself (a Proxy, so `instanceof` and every other method work
 * unchanged) whose start, stop and runOnce also open and close the instance's interval in the
 * ledger. The scheduler does not know it is metered. A ledger write that fails is logged and
 * never fails the start or stop it records: billing must not take an app down.
 */
import { randomBytes } from 'node:crypto';
import { errorMessage } from '../core/errors.js';
import { findApp } from '../core/store/apps.js';
import type { Sql } from '../core/store/database.js';
import { DEFAULT_SIZE, SIZES, type InstanceSpec, type RuntimeDriver } from '../scheduler/index.js';
import { closeInterval, openInterval } from './ledger.js';

/**
 * The size name whose limits the spec carries, told by memory (each size has its own): the CPU
 * cap may be missing while an instance boots (scheduler/boot-limits.ts). No limits at all is
 * the default size; a memory no size has is `custom`.
 */
export function sizeOf(spec: Pick<InstanceSpec, 'memoryMb' | 'cpus'>): string {
  if (spec.memoryMb === undefined) return DEFAULT_SIZE;
  return Object.entries(SIZES).find(([, s]) => s.memoryMb === spec.memoryMb)?.[0] ?? 'custom';
}

export function meterRuntime<T extends RuntimeDriver>(inner: T, deps: { sql: Sql; log(line: string): void }): T {
  const record = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      deps.log(`metering: could not record ${what}: ${errorMessage(err)}`);
    }
  };
  const open = (instanceId: string, spec: InstanceSpec, oneOff: boolean) => record(`the start of ${instanceId}`, async () => {
    const app = await findApp(deps.sql, spec.app);
    await openInterval(deps.sql, {
      instanceId, appId: app?.id ?? 0, app: spec.app, processType: spec.processType, oneOff,
      size: sizeOf(spec), memoryMb: spec.memoryMb, cpus: spec.cpus, runtime: inner.kind,
    });
  });
  const close = (instanceId: string) => record(`the stop of ${instanceId}`, () => closeInterval(deps.sql, instanceId));

  // An instance's ledger write (a query and a transaction, 10-20 ms on a loaded machine) runs
  // beside the rollout's health check instead of in front of it (issue 15); the stop of the same
  // instance waits for it, so an interval is never closed before it was opened.
  const opening = new Map<string, Promise<void>>();
  const start: RuntimeDriver['start'] = async (spec) => {
    const instance = await inner.start(spec);
    const opened: Promise<void> = open(instance.id, spec, false).finally(() => {
      if (opening.get(instance.id) === opened) opening.delete(instance.id);
    });
    opening.set(instance.id, opened);
    return instance;
  };
  const stop: RuntimeDriver['stop'] = async (instanceId, options) => {
    await inner.stop(instanceId, options);
    await opening.get(instanceId);
    await close(instanceId);
  };
  const runOnce = inner.runOnce && (async (spec: InstanceSpec, ...rest: unknown[]) => {
    // A one-off run has no id of the runtime's until it is gone; the ledger names it itself.
    const id = `run-${spec.app}-${randomBytes(6).toString('hex')}`;
    await open(id, spec, true);
    try {
      return await (inner.runOnce as (...args: unknown[]) => ReturnType<NonNullable<RuntimeDriver['runOnce']>>).call(inner, spec, ...rest);
    } finally {
      await close(id);
    }
  });

  const replaced: Record<PropertyKey, unknown> = { start, stop, ...(runOnce ? { runOnce } : {}) };
  return new Proxy(inner, {
    get(target, prop) {
      if (Object.hasOwn(replaced, prop)) return replaced[prop];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
