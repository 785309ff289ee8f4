/**
 * Boot order (issue 14): DevFlow restarted under load. Routes are restored from the store and
 * the runtime before the embedded router listens and before any Traefik file is written, so
 * - through the embedded router, no request fails: while DevFlow is down a connection is
 *   refused and the client sends it again (as a browser would); no request gets a "no such
 *   app" page, a 5xx or a reset once it reached a server;
 * - the Traefik file keeps the app's routers at every moment sampled across the restart, so
 *   Traefik, which keeps serving while DevFlow restarts, never withdraws the app's route.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupRuntime } from '../support/cleanup.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample } from '../support/git.js';
import { startLoad } from '../support/load.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/node-hello');

/** Reads the Traefik file in a loop and keeps the router names of each reading. */
function sampleTraefikFile(file: string) {
  const samples: string[][] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const text = await fs.readFile(file, 'utf8').catch(() => undefined);
      const routers = text === undefined ? undefined : (parse(text) as { http?: { routers?: Record<string, unknown> } } | null)?.http?.routers;
      samples.push(Object.keys(routers ?? {}));
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return { samples, stop: async () => { running = false; await loop; } };
}

describe('restarting DevFlow under load (process runtime)', () => {
  let devflow: DevflowProcess;

  beforeAll(async () => {
    devflow = await startDevflowProcess({ runtime: 'process' });
    await devflow.cli(['apps:create', 'steady']);
    const repo = await repoFromExample(EXAMPLE);
    expect((await pushTo(repo, devflow, 'steady')).exitCode).toBe(0);
  });
  afterAll(async () => {
    await devflow?.stop();
    await cleanupRuntime(devflow?.home);
  });

  it('fails no request through the embedded router and never empties the Traefik file', async () => {
    const traefik = sampleTraefikFile(path.join(devflow.home, 'traefik', 'devflow.yml'));
    const load = startLoad({ port: devflow.httpPort, host: 'steady.localhost', rate: 100, retryUnsent: true });
    await new Promise((r) => setTimeout(r, 500));
    const beforeRestart = traefik.samples.length;
    await devflow.restart();
    const duringRestart = traefik.samples.length - beforeRestart;
    // Requests keep flowing for a moment after the new DevFlow is ready.
    await new Promise((r) => setTimeout(r, 1000));
    const counts = await load.stop();
    await traefik.stop();

    expect(counts, JSON.stringify(counts.samples)).toMatchObject({ status5xx: 0, otherStatus: 0, errors: 0 });
    expect(counts.ok).toBe(counts.sent);
    // The file was read while DevFlow restarted, and every reading had the app's routers.
    expect(duringRestart).toBeGreaterThan(0);
    expect(traefik.samples.filter((routers) => !routers.includes('app-steady'))).toEqual([]);
    expect((await getViaRouter(devflow.httpPort, 'steady.localhost')).body).toContain('Hello from node-hello');
  });
});
