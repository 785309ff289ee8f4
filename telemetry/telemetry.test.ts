/**
 * The telemetry face on the test run's real PostgreSQL: enabling gives an app an ingest token
 * and its processes the OTEL_ variables (the user's own config still wins, scheduler/instance-spec),
 * disabling revokes the token, and traces are read per app only.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSecretKey } from '../core/secrets.js';
import { createApp } from '../core/store/apps.js';
import type { AppName } from '../core/names.js';
import { RouterTracer } from '../router/tracing/tracer.js';
import { SpanBuffer } from '../router/tracing/span-buffer.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import { createTelemetry, type Telemetry } from './index.js';
import { TelemetrySettings } from './settings-store.js';

describe('telemetry', () => {
  let db: TestDatabase;
  let telemetry: Telemetry;
  const key = parseSecretKey('22'.repeat(32));
  const shop = 'shop' as AppName;
  let shopId: number;
  const home = mkdtempSync(join(tmpdir(), 'devflow-telemetry-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    shopId = (await createApp(db.sql, shop)).id;
    await createApp(db.sql, 'other' as AppName);
    telemetry = createTelemetry({
      sql: db.sql, secretKey: key, runtime: 'process', docker: undefined, log: () => undefined,
      config: { home, port: 7171, bindHost: '0.0.0.0', tracing: { enabled: true, sampleRatio: 0.1, slowMs: 1000, retentionDays: 7 } },
    });
  });

  afterAll(async () => {
    await telemetry.close();
    await db.drop();
    rmSync(home, { recursive: true, force: true });
  });

  it('gives an enabled app a token and OTEL_ variables naming DevFlow, itself and the token', async () => {
    const env = telemetry.platformEnv({ forApp: async () => ({ DATABASE_URL: 'postgres://x' }) });
    expect(await env.forApp({ id: shopId, name: shop })).toEqual({ DATABASE_URL: 'postgres://x' });
    const { created, view } = await telemetry.operations.enable(shop);
    expect(created).toBe(true);
    expect(view).toMatchObject({ app: 'shop', enabled: true, endpoint: 'http://127.0.0.1:7171', ingestToken: expect.stringMatching(/^dfi_/) });
    expect(await env.forApp({ id: shopId, name: shop })).toMatchObject({
      DATABASE_URL: 'postgres://x',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:7171',
      OTEL_EXPORTER_OTLP_HEADERS: `x-devflow-ingest-token=${view.ingestToken}`,
      OTEL_SERVICE_NAME: 'shop',
      OTEL_PROPAGATORS: 'tracecontext,baggage',
      OTEL_RESOURCE_ATTRIBUTES: 'devflow.app=shop',
    });
    // The Node agent: preloaded from DevFlow's home on the process runtime, built there on first need.
    const nodeOptions = (await env.forApp({ id: shopId, name: shop })).NODE_OPTIONS!;
    const agent = /^--require "(.+)"$/.exec(nodeOptions)?.[1];
    expect(agent).toMatch(new RegExp(`^${home}/otel-agent/[0-9a-f]{16}/agent\\.cjs$`));
    expect(readFileSync(agent!, 'utf8')).toMatch(/require\(.*"sdk\.cjs"\)\)\.startAgent/); // the loader (telemetry/agent/loader.ts, bundled)
    expect(existsSync(join(agent!, '..', 'sdk.cjs'))).toBe(true);
    const again = await telemetry.operations.enable(shop);
    expect([again.created, again.view.ingestToken]).toEqual([false, view.ingestToken]);
  });

  it("gives the router an app's own sampling, and refuses nonsense", async () => {
    const tracer = new RouterTracer(new SpanBuffer({ writeRouterSpans: async () => undefined }, { flushEveryMs: 60_000 }));
    await telemetry.useTracer(tracer);
    await telemetry.operations.enable(shop, { sampleRatio: 0, slowMs: 50 });
    expect(tracer.sampling('shop')).toEqual({ ratio: 0, slowMs: 50 });
    expect(tracer.sampling('other')).toEqual({ ratio: 0.1, slowMs: 1000 });
    await expect(telemetry.operations.enable(shop, { sampleRatio: 2 })).rejects.toThrow(/from 0 to 1/);
    await tracer.buffer.close();
  });

  it('revokes the token on disable', async () => {
    const token = (await telemetry.operations.describe(shop)).ingestToken!;
    const settings = new TelemetrySettings(db.sql, key);
    expect(await settings.appForToken(token)).toBe(shopId);
    expect(await telemetry.operations.disable(shop)).toMatchObject({ enabled: false });
    expect(await settings.appForToken(token)).toBeUndefined();
  });

  it('answers a bad trace id with 400 and an unknown one with 404', async () => {
    await expect(telemetry.operations.showTrace(shop, 'nope')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(telemetry.operations.showTrace(shop, 'a'.repeat(32))).rejects.toMatchObject({ code: 'not_found' });
  });
});
