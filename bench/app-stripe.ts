/**
 * Stripe for apps (issue 20, "webhook handling rate"): signed deliveries over HTTP to one app's
 * `/stripe/v1/webhook`, on an embedded PostgreSQL with the backend's gateway in this process and
 * the Stripe stand-in (tests/support/stripe-standin/) as Stripe. Three kinds, each measured the
 * same way (C deliveries in flight at once, N in all), so each is the peer of the others:
 * - new events: verify, insert into stripe.events, upsert stripe.customers (the full path);
 * - redeliveries of stored events: verify and the once-only check, nothing written;
 * - forged deliveries (wrong secret): refused by the signature check alone.
 * Usage: node --import tsx bench/app-stripe.ts [deliveries=2000] [concurrency=8]
 */
import os from 'node:os';
import { startControlDatabase } from './lib/control-database.js';
import { signatureHeader } from '../tests/support/stripe-standin/index.js';
import { startStripeTestBed } from '../backend/stripe/test-support.js';

const N = Number(process.argv[2] ?? 2000);
const C = Number(process.argv[3] ?? 8);

const control = await startControlDatabase('app-stripe');
const bed = await startStripeTestBed(['shop'], { sql: control.sql, url: control.url, drop: () => control.stop() });
const key = bed.standin.newSecretKey();
const url = `${bed.base}/backend/shop/stripe/v1/webhook`;
const secret = bed.standin.addWebhookEndpoint(url, { secretKey: key }).secret;
await bed.backend.operations.stripe.connect('shop' as never, { secretKey: key, webhookSecret: secret });

const event = (i: number) => JSON.stringify({
  id: `evt_bench_${i}`, object: 'event', type: 'customer.updated', created: Math.floor(Date.now() / 1000), livemode: false,
  data: { object: { id: `cus_bench_${i % 500}`, object: 'customer', email: `u${i}@example.com`, metadata: {} } },
});

async function run(label: string, payloadOf: (i: number) => string, signWith: string, expected: number): Promise<void> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < N) {
      const payload = payloadOf(next++);
      const res = await fetch(url, { method: 'POST', body: payload, headers: { 'content-type': 'application/json', 'stripe-signature': signatureHeader(payload, signWith, Math.floor(Date.now() / 1000)) } });
      await res.arrayBuffer();
      if (res.status !== expected) throw new Error(`${label}: ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: C }, worker));
  const seconds = (performance.now() - started) / 1000;
  console.log(`| ${label} | ${N} | ${C} | ${(N / seconds).toFixed(0)} |`);
}

console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${os.cpus().length} CPUs`);
console.log('| deliveries | n | in flight | per second |\n| --- | --- | --- | --- |');
await run('new events (verify, write event + customer)', event, secret, 200);
await run('redeliveries (verify, already stored)', event, secret, 200);
await run('forged (signature refused)', event, 'whsec_notthesecret', 400);
await bed.close();
