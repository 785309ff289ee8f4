/**
 * Redis add-on provisioning time (issue 21): the first add-on (which starts the add-on
 * redis-server under a fresh DEVFLOW_HOME) and later ones (an ACL user and ACL SAVE on the
 * running server), measured in-process through the redis provider, as `addons:create` runs it
 * (the API call and the config release around it are not included).
 * Usage: node --import tsx bench/redis-addon.ts [--runs 20]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseAppName } from '../core/names.js';
import { RedisProvider } from '../addons/redis/provider.js';
import { ManagedRedisServer } from '../addons/redis/server.js';
import { machine, median, now, numberFlag, writeResult } from './lib/devflow.js';

const RUNS = numberFlag('--runs', 20);

async function main(): Promise<void> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-redis-'));
  const server = new ManagedRedisServer({ home, listen: [], log: () => {} });
  const provider = new RedisProvider({ server, appHost: '127.0.0.1' });
  try {
    let start = now();
    await provider.provision({ id: 0, name: parseAppName('first') }, {});
    const first = now() - start;
    const later: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      start = now();
      await provider.provision({ id: i + 1, name: parseAppName(`app-${i}`) }, {});
      later.push(now() - start);
    }
    const load = os.loadavg().map((l) => l.toFixed(1)).join(', ');
    const markdown = [
      `### Redis add-on provisioning (${machine()}, load average ${load})`, '',
      '| step | time |', '| --- | --- |',
      `| first add-on: start redis-server, then the ACL user | ${first.toFixed(0)} ms |`,
      `| each later add-on: ACL SETUSER + ACL SAVE (median of ${RUNS}) | ${median(later).toFixed(1)} ms |`, '',
    ].join('\n');
    console.log(markdown);
    await writeResult('redis-addon', markdown);
  } finally {
    await server.stop();
    await fs.rm(home, { recursive: true, force: true });
  }
}

await main();
