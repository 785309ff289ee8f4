/**
 * The pool's cap on running workers (DEVFLOW_FUNCTIONS_MAX_WORKERS), with real worker processes
 * serving a one-line bundle.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerLimitError, WorkerPool, type WorkerKey } from './worker-pool.js';
import type { WorkerSpec } from './worker-process.js';
import { workerScript } from './worker-script.js';

describe('a pool of at most one worker', () => {
  let dir: string;
  let spec: (name: string) => Promise<WorkerSpec>;
  const pool = new WorkerPool(600_000, () => {}, 1);
  const key = (name: string): WorkerKey => ({ appId: 1, project: 'shop', name, version: 1, env: 'e' });

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-pool-'));
    const script = await workerScript(path.join(dir, '.runtime'));
    spec = async (name) => {
      const bundlePath = path.join(dir, name, 'dist', 'index.mjs');
      await fs.mkdir(path.dirname(bundlePath), { recursive: true });
      await fs.writeFile(bundlePath, "export default () => new Response('ok');");
      return { script, bundlePath, name, env: {}, memoryMb: 64, allowed: [] };
    };
  });

  afterAll(async () => {
    await pool.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('refuses a new worker while the one running is busy, and stops it for the next one once idle', async () => {
    const first = await pool.acquire(key('a'), () => spec('a'));
    await expect(pool.acquire(key('b'), () => spec('b'))).rejects.toThrow(WorkerLimitError);
    await expect(pool.acquire(key('b'), () => spec('b'))).rejects.toThrow('all 1 function workers are busy: try again shortly');
    pool.release(first);
    const second = await pool.acquire(key('b'), () => spec('b'));
    expect(first.state).toBe('stopped');
    expect(second.state).toBe('ready');
    expect(pool.size).toBe(1);
    pool.release(second);
  });
});
