/**
 * Stripe webhook handling rate (issue 20, "Measure"): signed deliveries to
 * POST /api/v1/billing/stripe/webhook on the real API in process and its own embedded
 * PostgreSQL, each verified, recorded once and applied to the team's subscription state.
 * Beside it, in the same run: replays (an event id already applied: verified, then refused as a
 * duplicate) and forgeries (refused at the signature, no database work). Stripe itself is the
 * tests' stand-in, which only signs and posts here. Load average noted: other work shares the machine.
 */
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { createApi, type ApiDeps } from '../api/api.js';
import { platformBilling } from '../billing/index.js';
import { loadConfig } from '../core/config.js';
import { readStripeSettings } from '../core/settings.js';
import { startStripeStandin } from '../tests/support/stripe-standin/index.js';
import { startControlDatabase } from './lib/control-database.js';
import { machine, numberFlag, writeResult } from './lib/devflow.js';

const EVENTS = numberFlag('events', 400);
const CONCURRENCY = 8;
const SECRET = 'whsec_benchsecret0123456789';

async function rate(count: number, send: (i: number) => Promise<number>, expected: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      const status = await send(next++);
      if (status !== expected) throw new Error(`a delivery answered ${status}, not ${expected}`);
    }
  }));
  return count / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const db = await startControlDatabase('stripe-webhooks');
  const standin = await startStripeStandin();
  const price = standin.createPrice({ unitAmount: 2500 });
  const stripe = readStripeSettings({ DEVFLOW_STRIPE_SECRET_KEY: standin.secretKey, DEVFLOW_STRIPE_API_URL: standin.url, DEVFLOW_STRIPE_WEBHOOK_SECRET: SECRET, DEVFLOW_STRIPE_PRICES: `pro=${price}` })!;
  const server = http.createServer(createApi({ sql: db.sql, config: { ...loadConfig({}), stripe } } as unknown as ApiDeps));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/billing/stripe/webhook`;
  try {
    const [team] = await db.sql<Array<{ id: number }>>`INSERT INTO teams (name) VALUES ('bench') RETURNING id`;
    await platformBilling(db.sql, stripe).portal({ id: team!.id, name: 'bench' }, 'http://bench.test');
    const [row] = await db.sql<Array<{ stripe_customer_id: string }>>`SELECT stripe_customer_id FROM billing_customers`;
    const customer = row!.stripe_customer_id;
    const sub = { id: 'sub_bench', object: 'subscription', customer, metadata: {}, items: { object: 'list', data: [{ price: { id: price }, current_period_end: Math.floor(Date.now() / 1000) + 86400 }] } };
    const event = (i: number, id = `evt_bench_${i}`) => ({ id, object: 'event', type: 'customer.subscription.updated', created: Math.floor(Date.now() / 1000),
      data: { object: { ...sub, status: i % 2 === 0 ? 'active' : 'past_due' } } });
    const post = async (payload: object, secret: string) => (await standin.sendWebhook({ url, payload, secret })).status;
    await rate(20, (i) => post(event(i, `evt_warm_${i}`), SECRET), 200);
    const load = os.loadavg()[0]!.toFixed(1);
    const applied = await rate(EVENTS, (i) => post(event(i), SECRET), 200);
    const replayed = await rate(EVENTS, (i) => post(event(i), SECRET), 200);
    const forged = await rate(EVENTS, (i) => post(event(i, `evt_forged_${i}`), 'whsec_wrong'), 400);
    const [count] = await db.sql<Array<{ n: number }>>`SELECT count(*)::int AS n FROM billing_stripe_events WHERE event_id LIKE 'evt_bench_%'`;
    const n = count!.n;
    if (n !== EVENTS) throw new Error(`${n} events recorded, expected ${EVENTS}`);
    await writeResult('stripe-webhooks', [
      `### Stripe webhook handling (${machine()}, load average ${load} at the start, ${EVENTS} deliveries each, ${CONCURRENCY} at a time)`,
      '',
      '| delivery | handled per second |',
      '| --- | --- |',
      `| new event: verified, recorded, subscription state applied | ${applied.toFixed(0)} |`,
      `| replay (event id already applied): verified, acknowledged as a duplicate | ${replayed.toFixed(0)} |`,
      `| forged (wrong secret): refused with 400, no database work | ${forged.toFixed(0)} |`,
      '',
    ].join('\n'));
  } finally {
    server.closeAllConnections();
    server.close();
    await standin.close();
    await db.stop();
  }
}

await main();
