/**
 * Billing benchmark (issue 20, "Measure"): what the usage ledger costs. On its own embedded
 * PostgreSQL: an instance event (the interval opened at a start and closed at its stop, each
 * one statement or transaction, as metered-runtime.ts writes them), and a flush of the router's
 * traffic counters for 1, 10 and 100 apps (one upsert per flush, traffic-meter.ts), i.e. what
 * metering adds per minute whatever the request rate. The router-side cost (counting per
 * request) is in bench/router.ts with BENCH_ROUTER_METERING=1. Load average noted: other work
 * shares the machine.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../core/embedded-postgres/embedded.js';
import { connect, migrate } from '../core/store/database.js';
import { MIGRATIONS } from '../core/store/migrations.js';
import { closeInterval, openInterval } from '../billing/ledger.js';
import { addTraffic, hourOf } from '../billing/traffic-meter.js';
import { machine, writeResult } from './lib/devflow.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 500);
const FLUSHES = 200;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-billingbench-'));
  const cluster = await startEmbeddedPostgres(dir, () => {});
  const sql = connect(cluster.url, 2);
  try {
    await migrate(sql, MIGRATIONS);
    const apps = [];
    for (let i = 0; i < 100; i++) apps.push((await sql<{ id: number; name: string }[]>`INSERT INTO apps (name) VALUES (${`app${i}`}) RETURNING id, name`)[0]!);
    const opens: number[] = [];
    const closes: number[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const app = apps[i % apps.length]!;
      let t = performance.now();
      await openInterval(sql, { instanceId: `i${i}`, appId: app.id, app: app.name, processType: 'web', oneOff: false, size: 'standard', memoryMb: 512, cpus: 0.5, runtime: 'docker' });
      opens.push(performance.now() - t);
      t = performance.now();
      await closeInterval(sql, `i${i}`);
      closes.push(performance.now() - t);
    }
    const flushes: string[] = [];
    for (const n of [1, 10, 100]) {
      const times: number[] = [];
      for (let i = 0; i < FLUSHES; i++) {
        const delta = new Map(apps.slice(0, n).map((a) => [a.name, { requests: 1000, egressBytes: 2_000_000 }]));
        const t = performance.now();
        await addTraffic(sql, hourOf(new Date()), delta);
        times.push(performance.now() - t);
      }
      flushes.push(`| traffic flush, ${n} app${n === 1 ? '' : 's'} (one upsert) | ${median(times).toFixed(2)} ms |`);
    }
    await writeResult('billing', [
      `### Billing ledger writes, ${machine()}, load average ${os.loadavg()[0]!.toFixed(1)}`,
      '',
      `Embedded PostgreSQL, one connection in use; medians of ${EVENTS} instance events and ${FLUSHES} flushes each.`,
      '',
      '| write | median |',
      '| --- | --- |',
      `| instance start: interval opened (transaction of 2 statements) | ${median(opens).toFixed(2)} ms |`,
      `| instance stop: interval closed (1 statement) | ${median(closes).toFixed(2)} ms |`,
      ...flushes,
      '',
    ].join('\n'));
  } finally {
    await sql.end({ timeout: 5 });
    await cluster.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
