/**
 * `devflow up`: starts every role in one process on the embedded defaults (or the services
 * named by DATABASE_URL / REDIS_URL) and wires them together. This is the composition root; the
 * roles never import each other's internals. It runs the steps of boot/steps.ts in order (store,
 * runtime, router, roles, API, background loops) and stops them backwards. Each step takes the
 * parts it needs by name (steps.ts `House`).
 */
import type { Config } from '../core/config.js';
import { openStore, startAddons, startApi, startBackend, startLoops, startRoles, startRouting, startRuntime, startTelemetry, startTelemetryLoopsStep, startUsageSamplingStep, startStripeReportingStep, type Log, type Started } from './steps.js';

export interface RunningDevflow {
  config: Config;
  adminToken: string;
  runtime: string;
  close(): Promise<void>;
}

export async function startDevflow(config: Config, log: Log): Promise<RunningDevflow> {
  const started: Started<unknown>[] = [];
  const step = async <T>(run: Promise<Started<T>>): Promise<T> => {
    const done = await run;
    started.push(done);
    return done.value;
  };
  const stopAll = async () => {
    for (const done of started.reverse()) await done.stop();
  };
  try {
    const store = await step(openStore({ config, log }));
    const runtime = await step(startRuntime({ config, store, log }));
    const backend = await step(startBackend({ config, store, runtime, log }));
    const telemetry = await step(startTelemetry({ config, store, runtime, log }));
    // Routes are restored from the store and the runtime before the router listens.
    const routing = await step(startRouting({ config, store, runtime, backend, log, telemetry }));
    const addons = await step(startAddons({ config, store, runtime, backend, routing, log }));
    const roles = await step(startRoles({ config, store, runtime, backend, routing, addons, log, telemetry }));
    await step(startApi({ config, store, runtime, backend, routing, roles, addons, log, telemetry }));
    await step(startLoops({ store, runtime, roles, log }));
    await step(startTelemetryLoopsStep({ config, store, routing, log, runtime }));
    await step(startUsageSamplingStep({ store, routing, log }));
    await step(startStripeReportingStep({ config, store, log }));
    log(`devflow ready: API and git on http://localhost:${config.port}, apps at http://<app>.${config.domain}:${config.httpPort} (runtime ${runtime.runtime.kind}, queue ${roles.queue.backend})`);
    return { config, adminToken: store.adminToken, runtime: runtime.runtime.kind, close: stopAll };
  } catch (err) {
    // A step that failed leaves the earlier ones running: stop them, so the process can exit.
    await stopAll().catch(() => undefined);
    throw err;
  }
}
