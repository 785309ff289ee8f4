/**
 * Usage reported to Stripe as meter events survives a crash mid-report (issue 20, "Must hold"):
 * the reporter runs in a child process on the real PostgreSQL; the test kills it with SIGKILL
 * after Stripe recorded an event and before the process committed it, starts it again, and
 * each meter's totals (instance-seconds, build seconds, egress bytes) equal the ledger, no event
 * counted twice. Stripe is the one thing mocked
 * (tests/support/stripe-standin/, with Stripe's identifier de-duplication).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { readStripeSettings } from '../../core/settings.js';
import { createApp } from '../../core/store/apps.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { startStripeStandin, type StripeStandin } from '../../tests/support/stripe-standin/index.js';
import { platformBilling } from '../index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EVENT = 'devflow_instance_seconds';
const HOURS = 150;
const BUILD_EVENT = 'devflow_build_seconds';
const EGRESS_EVENT = 'devflow_egress_bytes';
/** Every 10th hour has egress, every 25th a build: 150 instance + 15 egress + 6 build events. */
const EVENTS = HOURS + 15 + 6;
let ledgerBuildSeconds = 0;
let ledgerEgressBytes = 0;

let db: TestDatabase;
let standin: StripeStandin;
let customer: string;
let ledgerSeconds = 0;

function reporter(): { exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>; kill(): void } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'billing/stripe/report-usage-process.ts'), db.url, standin.url, standin.secretKey, EVENT], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return {
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }))),
    kill: () => child.kill('SIGKILL'),
  };
}

const meterPosts = () => standin.requests.filter((r) => r.path === '/v1/billing/meter_events');

beforeAll(async () => {
  db = await createTestDatabase();
  standin = await startStripeStandin();
  const [team] = await db.sql<Array<{ id: number }>>`INSERT INTO teams (name) VALUES ('metered') RETURNING id`;
  const app = await createApp(db.sql, parseAppName('metered-web'));
  await db.sql`UPDATE apps SET team_id = ${team!.id} WHERE id = ${app.id}`;
  // The team's Stripe customer, made as DevFlow makes it (the portal link makes it lazily).
  const settings = readStripeSettings({ DEVFLOW_STRIPE_SECRET_KEY: standin.secretKey, DEVFLOW_STRIPE_API_URL: standin.url })!;
  await platformBilling(db.sql, settings).portal({ id: team!.id, name: 'metered' }, 'http://devflow.test/back');
  const [row] = await db.sql<Array<{ stripe_customer_id: string }>>`SELECT stripe_customer_id FROM billing_customers`;
  customer = row!.stripe_customer_id;
  // The ledger: the team became a customer HOURS hours before `end`, and ran an instance for a known time in each hour
  // up to it. `end` is an hour before the current one, so every hour of the ledger is complete for the reporter
  // whenever it runs: it meters up to the hour of a minute ago, and a run in an hour's first minute (seen in CI) would
  // otherwise leave the last hour for the next pass.
  const [last] = await db.sql<Array<{ end: Date }>>`SELECT date_trunc('hour', now()) - interval '1 hour' AS end`;
  const end = last!.end;
  await db.sql`UPDATE billing_customers SET metered_until = ${end}::timestamptz - ${HOURS} * interval '1 hour'`;
  for (let i = 0; i < HOURS; i++) {
    const seconds = 13 + 7 * i;
    ledgerSeconds += seconds;
    await db.sql`INSERT INTO usage_instances (instance_id, app_id, app, team_id, process_type, size, runtime, started_at, stopped_at, last_seen_at)
      SELECT ${`web.${i}`}, ${app.id}, 'metered-web', ${team!.id}, 'web', 'eco', 'process', h + interval '10 minutes', h + interval '10 minutes' + ${seconds} * interval '1 second', h + interval '50 minutes'
      FROM (SELECT ${end}::timestamptz - ${HOURS - i} * interval '1 hour' AS h) AS t`;
    if (i % 10 === 0) {
      ledgerEgressBytes += 1000 + i;
      await db.sql`INSERT INTO usage_traffic (app_id, app, team_id, hour, requests, egress_bytes)
        VALUES (${app.id}, 'metered-web', ${team!.id}, ${end}::timestamptz - ${HOURS - i} * interval '1 hour', 3, ${1000 + i})`;
    }
    if (i % 25 === 0) {
      ledgerBuildSeconds += 30 + i;
      const [deployment] = await db.sql<Array<{ id: number }>>`INSERT INTO deployments (app_id, ref, sha) VALUES (${app.id}, 'main', ${`sha${i}`}) RETURNING id`;
      await db.sql`INSERT INTO deployment_phases (deployment_id, phase, started_at, duration_ms)
        VALUES (${deployment!.id}, 'build', ${end}::timestamptz - ${HOURS - i} * interval '1 hour' + interval '20 minutes', ${(30 + i) * 1000})`;
    }
  }
});

afterAll(async () => {
  await standin?.close();
  await db?.drop();
});

describe('meter events after a crash between send and commit', () => {
  it('a reporter killed mid-batch leaves its batch unsent in the outbox, though Stripe counted part of it', async () => {
    const run = reporter();
    standin.hooks.beforeReply = async (record) => {
      // The 130th event (the second batch's 30th) is recorded by Stripe; its answer never arrives.
      if (record.path === '/v1/billing/meter_events' && meterPosts().length === 130) {
        run.kill();
        await run.exited;
      }
    };
    const exit = await run.exited;
    standin.hooks.beforeReply = undefined;
    expect(exit.signal).toBe('SIGKILL');
    expect(standin.account().meterEvents).toHaveLength(130);
    const [counts] = await db.sql<Array<{ sent: number; unsent: number }>>`
      SELECT count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent, count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent FROM billing_meter_outbox`;
    expect(counts).toEqual({ sent: 100, unsent: EVENTS - 100 });
    expect(standin.meterTotal(EVENT, customer)).toBeLessThan(ledgerSeconds);
  });

  it('restarted, it resends the rest; Stripe refuses the ones it has; totals equal the ledger, none twice', async () => {
    const exit = await reporter().exited;
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    expect(JSON.parse(exit.stdout)).toEqual({ sent: EVENTS - 100 });
    const refused = meterPosts().filter((r) => r.status === 400);
    expect(refused).toHaveLength(30); // the 30 Stripe had: de-duplicated by identifier, marked sent
    const identifiers = standin.account().meterEvents.map((e) => e.identifier);
    expect(new Set(identifiers).size).toBe(identifiers.length);
    expect(identifiers).toHaveLength(EVENTS);
    expect(standin.meterTotal(EVENT, customer)).toBe(ledgerSeconds);
    expect(standin.meterTotal(BUILD_EVENT, customer)).toBe(ledgerBuildSeconds);
    expect(standin.meterTotal(EGRESS_EVENT, customer)).toBe(ledgerEgressBytes);
    const [left] = await db.sql<Array<{ unsent: number }>>`SELECT count(*)::int AS unsent FROM billing_meter_outbox WHERE sent_at IS NULL`;
    expect(left!.unsent).toBe(0);
  });

  it('a further pass sends nothing', async () => {
    const exit = await reporter().exited;
    expect(JSON.parse(exit.stdout)).toEqual({ sent: 0 });
    expect(standin.meterTotal(EVENT, customer)).toBe(ledgerSeconds);
    expect(standin.meterTotal(BUILD_EVENT, customer)).toBe(ledgerBuildSeconds);
    expect(standin.meterTotal(EGRESS_EVENT, customer)).toBe(ledgerEgressBytes);
  });
});
