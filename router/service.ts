/**
 * The router as `devflow up` runs it: the embedded proxy on the HTTP and HTTPS ports, the
 * certificate manager, the Traefik files, and the traffic metrics, wired together. The
 * composition root (boot/start.ts) calls `startRouter` and feeds it routing input.
 */
import fs from 'node:fs';
import type { SecretKey } from '../core/secrets.js';
import { readTracingVariables } from '../core/settings.js';
import type { Sql } from '../core/store/database.js';
import { AcmeChallenges } from './acme/challenges.js';
import { ProxyMetrics } from './metrics.js';
import { EmbeddedProxy } from './proxy.js';
import { routerSettingsFromEnv, type RouterSettings } from './settings.js';
import { buildRoutingTable, type RoutingInput } from './table.js';
import { TraefikFiles } from './traefik-files.js';
import { CertificateManager } from './tls/manager.js';
import { FirstRequestWatch, type FirstRequestSink } from './tracing/first-request.js';
import { SpanBuffer, type SpanSink } from './tracing/span-buffer.js';
import { RouterTracer } from './tracing/tracer.js';

export interface RouterServiceOptions {
  sql: Sql;
  secretKey: SecretKey;
  domain: string;
  httpPort: number;
  httpsPort: number;
  bindHost: string;
  traefikDir: string;
  env: NodeJS.ProcessEnv;
  log(line: string): void;
  /**
   * The routes as the store and the runtime say they are now. They are in the proxy before it
   * listens and in the first Traefik file, so a restart never serves or writes an empty table.
   */
  routes: RoutingInput;
  /** Where router spans are written in batches (telemetry's span store); none: no spans are kept. */
  spans?: SpanSink;
  /** Where each release's first relayed request goes (telemetry, for the deploy trace); none: not watched. */
  firstRequests?: FirstRequestSink;
}

export interface RouterService {
  settings: RouterSettings;
  metrics: ProxyMetrics;
  /** Set with DEVFLOW_TRACING on (the default): per-app sampling rules are given to it. */
  tracer: RouterTracer | undefined;
  /** Renders routing input into the proxy and the Traefik YAML (RouteSync's sink). */
  apply(input: RoutingInput): Promise<void>;
  /**
   * After a domain or redirect changed: refreshes the routes (the promise waits for that), then
   * looks for certificates to issue in the background.
   */
  domainsChanged(routes: { refresh(): Promise<void> }): Promise<void>;
  close(): Promise<void>;
}

export async function startRouter(options: RouterServiceOptions): Promise<RouterService> {
  const { log } = options;
  const settings = routerSettingsFromEnv(options.env, (file) => fs.readFileSync(file, 'utf8'));
  const challenges = new AcmeChallenges();
  const metrics = new ProxyMetrics();
  const tracer = startTracer(options);
  metrics.spans = tracer?.buffer;
  const firstRequests = options.firstRequests === undefined ? undefined
    : new FirstRequestWatch(options.firstRequests, (err) => log(`first request of a release not recorded: ${String(err)}`));
  const proxy = new EmbeddedProxy({ challenges, metrics, tracer, firstRequests });
  const traefik = new TraefikFiles(options.traefikDir, { host: '127.0.0.1', port: options.httpPort });
  const apply = async (input: RoutingInput) => {
    const table = buildRoutingTable({ ...input, httpsRedirectAll: settings.httpsRedirectAll || input.httpsRedirectAll === true });
    proxy.setTable(table);
    await traefik.setTable(table);
  };
  // Routes first (the Traefik file waits for the certificates), then certificates (their first
  // publication writes the file), and only then do the ports open.
  await apply(options.routes);
  const certificates = new CertificateManager({
    sql: options.sql,
    key: options.secretKey,
    domain: options.domain,
    acme: settings.acme,
    challenges,
    operatorCertificate: settings.operatorCertificate,
    log,
    publish: async (certs, fallback) => {
      for (const problem of proxy.setCertificates(certs, fallback)) log(`certificates: ${problem}`);
      await traefik.setCertificates(certs);
    },
  });
  await certificates.start();
  await proxy.listen(options.httpPort, options.bindHost);
  await proxy.listenHttps(options.httpsPort, options.bindHost);
  return {
    settings,
    metrics,
    tracer,
    apply,
    async domainsChanged(routes) {
      try {
        await routes.refresh();
      } finally {
        void certificates.poke();
      }
    },
    async close() {
      await certificates.close();
      await proxy.close();
      await tracer?.buffer.close();
    },
  };
}

function startTracer(options: RouterServiceOptions): RouterTracer | undefined {
  const vars = readTracingVariables(options.env);
  if (!vars.enabled) return undefined;
  const sink: SpanSink = options.spans ?? { writeRouterSpans: async () => undefined };
  const tracer = new RouterTracer(new SpanBuffer(sink, { onError: (err) => options.log(`router spans not written: ${String(err)}`) }));
  tracer.setSampling({ ratio: vars.sampleRatio, slowMs: vars.slowMs });
  return tracer;
}
