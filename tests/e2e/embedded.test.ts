/**
 * `devflow up` on the embedded defaults: no DATABASE_URL, no REDIS_URL. DevFlow starts its own
 * PostgreSQL with the data in DEVFLOW_HOME, runs the queue on it, and a second start reuses it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupRuntime } from '../support/cleanup.js';
import { startDevflowProcess, type DevflowProcess } from '../support/devflow.js';

describe('devflow up on the embedded defaults', () => {
  let devflow: DevflowProcess | undefined;
  afterAll(async () => {
    await devflow?.stop();
    const link = devflow && (await fs.readlink(path.join(devflow.home, 'postgres', 'data')).catch(() => undefined));
    if (link) await fs.rm(path.dirname(link), { recursive: true, force: true });
    await cleanupRuntime(devflow?.home);
  });

  it('starts its own PostgreSQL, and a second start finds the same data', async () => {
    devflow = await startDevflowProcess({ runtime: 'process', env: { DATABASE_URL: '', REDIS_URL: '' }, ownProcessGroup: true });
    expect(devflow.output()).toContain('initialising embedded PostgreSQL (first start)');
    expect(devflow.output()).toContain('queue postgres');
    await devflow.cli(['apps:create', 'kept']);
    const token = devflow.token;

    // SIGTERM (docker stop, systemd) closes everything in order, the cluster last, and exits 0.
    expect(await devflow.stop()).toEqual({ code: 0, signal: null });
    expect(devflow.output().trimEnd().split('\n').at(-1)).toBe('stopping DevFlow (apps keep running; they are adopted at the next start)');
    await devflow.restart();
    expect(devflow.output()).not.toContain('first start');
    const apps = JSON.parse((await devflow.cli(['apps', '--json'])).stdout) as { name: string }[];
    expect(apps.map((a) => a.name)).toEqual(['kept']);
    expect((await fs.readFile(path.join(devflow.home, 'admin-token'), 'utf8')).trim()).toBe(token);
  });

  it('survives a SIGKILL: the next start recovers the cluster', async () => {
    // The server runs in its own process group, so it outlives a killed DevFlow; the next start
    // stops it and runs its own.
    await devflow!.stop('SIGKILL');
    await devflow!.restart();
    expect(devflow!.output()).toMatch(/stopping the PostgreSQL \(pid \d+\) left running by an earlier DevFlow/);
    const apps = JSON.parse((await devflow!.cli(['apps', '--json'])).stdout) as { name: string }[];
    expect(apps.map((a) => a.name)).toEqual(['kept']);
  });

  it('stops cleanly on Ctrl-C, which the terminal sends to the whole process group', async () => {
    // The embedded PostgreSQL must not take the terminal's SIGINT as its own fast shutdown while
    // DevFlow is still closing its queue and event bus over it.
    expect(await devflow!.pressCtrlC()).toEqual({ code: 0, signal: null });
    const output = devflow!.output();
    expect(output).not.toMatch(/Error|^\s+at /m);
    expect(output.trimEnd().split('\n').at(-1)).toBe('stopping DevFlow (apps keep running; they are adopted at the next start)');
    await devflow!.restart();
    const apps = JSON.parse((await devflow!.cli(['apps', '--json'])).stdout) as { name: string }[];
    expect(apps.map((a) => a.name)).toEqual(['kept']);
  });

  it('stops cleanly when its terminal closes, though nothing reads its output any more', async () => {
    // A closed terminal or SSH session sends SIGHUP, whose default action ends Node at once,
    // leaving the embedded PostgreSQL for the next start to clean up; and with the terminal gone,
    // writing the stopping line fails. DevFlow stops as on Ctrl-C, the database last.
    expect(await devflow!.hangUp()).toEqual({ code: 0, signal: null });
    const dataDir = await fs.realpath(path.join(devflow!.home, 'postgres', 'data'));
    await expect(fs.access(path.join(dataDir, 'postmaster.pid'))).rejects.toThrow(/ENOENT/);
    await devflow!.restart();
    expect(devflow!.output()).not.toMatch(/left running by an earlier DevFlow/);
    const apps = JSON.parse((await devflow!.cli(['apps', '--json'])).stdout) as { name: string }[];
    expect(apps.map((a) => a.name)).toEqual(['kept']);
  });

  it('refuses a second `devflow up` on the same home instead of stopping the first one\'s database', async () => {
    const second = startDevflowProcess({ runtime: 'process', home: devflow!.home, env: { DATABASE_URL: '', REDIS_URL: '' } });
    await expect(second).rejects.toThrow(/DevFlow \(pid \d+\) is already running with its PostgreSQL in .*; stop it first/);
    const apps = JSON.parse((await devflow!.cli(['apps', '--json'])).stdout) as { name: string }[];
    expect(apps.map((a) => a.name)).toEqual(['kept']);
  });
});
