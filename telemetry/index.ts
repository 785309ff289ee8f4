/**
 * The telemetry role's face (telemetry/README.md, issue 18). The composition root (boot/steps.ts)
 * makes one Telemetry and plugs it in at four places: the router's span sink (`routerSpans`) and
 * its per-app sampling (`useTracer`), the API port's OTLP receiver (`handle`), the variables of
 * apps that enabled telemetry (`platformEnv`), and the API (`operations`). A retention loop drops
 * span partitions past DEVFLOW_TRACES_DAYS.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Docker from 'dockerode';
import type { Config } from '../core/config.js';
import { engineBridgeAccess } from '../core/embedded-postgres/docker-bridge.js';
import { errorMessage, InvalidInputError, NotFoundError } from '../core/errors.js';
import type { AppName } from '../core/names.js';
import { runPeriodically, type Periodic } from '../core/periodic.js';
import type { SecretKey } from '../core/secrets.js';
import type { NewLogLine } from '../core/store/runtime-logs.js';
import { getApp } from '../core/store/apps.js';
import type { Sql } from '../core/store/database.js';
import type { RuntimeKind } from '../core/types.js';
import type { FirstRequestSink, RouterTracer, SpanSink, TraceSampling } from '../router/index.js';
import type { PlatformEnv, ReadOnlyMount } from '../scheduler/index.js';
import { agentHostDir, agentNodeOption, agentRequirePath, AGENT_CONTAINER_DIR, prepareAgent } from './agent/agent-files.js';
import { otelEnv } from './env.js';
import { recordExceptions, type RecordedException } from './errors/store.js';
import { addLogLines } from './logs/otlp-lines.js';
import { addMetricPoints, type MetricPoint } from './metrics/points.js';
import { otlpSignalOf, receiveOtlp } from './otlp/receiver.js';
import { TelemetrySettings, type SamplingChange } from './settings-store.js';
import { FirstRequestWriter } from './traces/first-requests.js';
import { RouterSpanWriter } from './traces/router-sink.js';
import { SpanStore, type SpanView, type TraceSummary } from './traces/store.js';

export type { SpanView, TraceSummary } from './traces/store.js';
export type { SamplingChange } from './settings-store.js';
// The logs, errors, alerts and metrics half: each part keeps its own index.
export * from './logs/index.js';
export * from './errors/index.js';
export { startTelemetryLoops, type TelemetryLoops, type TelemetryLoopsOptions } from './loops.js';
export * from './alerts/index.js';
export * from './metrics/index.js';

/** What `GET /apps/{app}/telemetry` shows. */
export interface TelemetryView {
  app: string;
  enabled: boolean;
  /** The OTLP base URL apps send to, and the token; only when enabled. */
  endpoint?: string;
  ingestToken?: string;
  sampleRatio: number | null;
  slowMs: number | null;
}

export interface TraceQuery {
  sinceMs: number;
  slowest: boolean;
  limit: number;
}

/** What the API calls (api/routes/telemetry.ts). */
export interface TelemetryOperations {
  enable(app: AppName, sampling?: SamplingChange): Promise<{ created: boolean; view: TelemetryView }>;
  disable(app: AppName): Promise<TelemetryView>;
  describe(app: AppName): Promise<TelemetryView>;
  listTraces(app: AppName, query: TraceQuery): Promise<TraceSummary[]>;
  showTrace(app: AppName, traceId: string): Promise<SpanView[]>;
}

export interface Telemetry {
  routerSpans: SpanSink;
  /** The router's first request on each release, the last phase of a deploy trace. */
  firstRequests: FirstRequestSink;
  /** Gives the router's tracer the apps' own sampling, now and after each change. */
  useTracer(tracer: RouterTracer | undefined): Promise<void>;
  /** Serves an OTLP/HTTP request; false when the path is not one. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  platformEnv(inner: PlatformEnv): PlatformEnv;
  operations: TelemetryOperations;
  close(): Promise<void>;
}

export interface TelemetryDeps {
  sql: Sql;
  secretKey: SecretKey;
  config: Pick<Config, 'port' | 'bindHost' | 'tracing' | 'home'>;
  runtime: RuntimeKind;
  docker: Docker | undefined;
  log(line: string): void;
}

const RETENTION_EVERY_MS = 3_600_000;
const TRACE_ID = /^[0-9a-f]{32}$/;

export function createTelemetry(deps: TelemetryDeps): Telemetry {
  const settings = new TelemetrySettings(deps.sql, deps.secretKey);
  const store = new SpanStore(deps.sql, deps.config.tracing.retentionDays);
  const routerSpans = new RouterSpanWriter(deps.sql, store);
  const logs = { write: (lines: NewLogLine[]) => addLogLines(deps.sql, lines) };
  const metrics = { write: (points: MetricPoint[]) => addMetricPoints(deps.sql, points) };
  const errors = { record: (found: RecordedException[]) => recordExceptions(deps.sql, found) };
  let tracer: RouterTracer | undefined;
  const retention = startRetention(store, deps.log);

  const applySampling = async () => {
    if (tracer === undefined) return;
    const defaults: TraceSampling = { ratio: deps.config.tracing.sampleRatio, slowMs: deps.config.tracing.slowMs };
    const own = await settings.samplingByApp();
    tracer.setSampling(defaults, new Map(own.map((a) => [a.app, { ratio: a.sampleRatio ?? defaults.ratio, slowMs: a.slowMs ?? defaults.slowMs }])));
  };

  const agentOption = nodeAgentOption(deps);

  let address: Promise<string> | undefined;
  const endpoint = async () => {
    address ??= deps.runtime === 'process' || deps.docker === undefined
      ? Promise.resolve(deps.config.bindHost === '0.0.0.0' || deps.config.bindHost === '::' ? '127.0.0.1' : deps.config.bindHost)
      : engineBridgeAccess(deps.docker).then((access) => access.listen[0] ?? '127.0.0.1');
    return `http://${await address}:${deps.config.port}`;
  };

  const view = async (name: AppName, appId: number): Promise<TelemetryView> => {
    const found = await settings.find(appId);
    if (found === undefined) return { app: name, enabled: false, sampleRatio: null, slowMs: null };
    return { app: name, enabled: true, endpoint: await endpoint(), ingestToken: found.ingestToken, sampleRatio: found.sampleRatio, slowMs: found.slowMs };
  };

  return {
    routerSpans,
    firstRequests: new FirstRequestWriter(deps.sql),
    async useTracer(given) {
      tracer = given;
      await applySampling();
    },
    handle(req, res) {
      const signal = otlpSignalOf(req.url);
      if (signal === undefined) return false;
      void receiveOtlp({ settings, store, logs, metrics, errors }, signal, req, res);
      return true;
    },
    platformEnv(inner) {
      return {
        async forApp(app) {
          const platform = await inner.forApp(app);
          const found = await settings.find(app.id);
          if (found === undefined) return platform;
          return { ...platform, ...otelEnv({ app: app.name, endpoint: await endpoint(), ingestToken: found.ingestToken, agentOption: await agentOption(), reportUsage: deps.runtime === 'swarm' }) };
        },
      };
    },
    operations: {
      async enable(name, sampling = {}) {
        checkSampling(sampling);
        const app = await getApp(deps.sql, name);
        const { created } = await settings.enable(app.id, sampling);
        await applySampling();
        return { created, view: await view(name, app.id) };
      },
      async disable(name) {
        const app = await getApp(deps.sql, name);
        await settings.disable(app.id);
        await applySampling();
        return view(name, app.id);
      },
      async describe(name) {
        return view(name, (await getApp(deps.sql, name)).id);
      },
      async listTraces(name, query) {
        return store.listTraces((await getApp(deps.sql, name)).id, query);
      },
      async showTrace(name, traceId) {
        if (!TRACE_ID.test(traceId)) throw new InvalidInputError(`"${traceId}" is not a trace id (32 lowercase hex digits)`);
        const spans = await store.trace((await getApp(deps.sql, name)).id, traceId);
        if (spans.length === 0) throw new NotFoundError(`no trace ${traceId} for ${name} (traces are kept DEVFLOW_TRACES_DAYS days; unsampled requests keep none)`);
        return spans;
      },
    },
    async close() {
      await retention.stop();
    },
  };
}

/**
 * The directory the docker runtime mounts read-only into every container (and the swarm runtime
 * ships as configs), so an app's Node finds the agent (agent/agent-files.ts); boot passes it to
 * selectRuntime.
 */
export function nodeAgentMount(home: string): ReadOnlyMount {
  return { hostPath: agentHostDir(home), containerPath: AGENT_CONTAINER_DIR };
}

/**
 * The NODE_OPTIONS preload of the Node agent, made on first need: the docker runtime's
 * containers reach it through nodeAgentMount, swarm tasks through the same directory shipped as
 * configs (scheduler/runtime/swarm.ts), host processes directly. An agent that failed to build
 * is left out: a preload that is not there would stop every Node process, and telemetry must
 * never take an app down.
 */
function nodeAgentOption(deps: TelemetryDeps): () => Promise<string | undefined> {
  let prepared: Promise<string | undefined> | undefined;
  const inContainer = deps.runtime === 'docker' || deps.runtime === 'swarm';
  return () => (prepared ??= prepareAgent(deps.config.home).then(
    (key) => agentNodeOption(agentRequirePath(key, { home: deps.config.home, inContainer })),
    (err: unknown) => {
      deps.log(`telemetry: the Node agent could not be prepared, apps get the OTEL_ variables only: ${errorMessage(err)}`);
      return undefined;
    },
  ));
}

function checkSampling(sampling: SamplingChange): void {
  const { sampleRatio, slowMs } = sampling;
  if (sampleRatio != null && !(sampleRatio >= 0 && sampleRatio <= 1)) throw new InvalidInputError(`sample must be a share from 0 to 1, got ${sampleRatio}`);
  if (slowMs != null && !(slowMs > 0)) throw new InvalidInputError(`slowMs must be a positive number of milliseconds, got ${slowMs}`);
}

function startRetention(store: SpanStore, log: (line: string) => void): Periodic {
  const run = () => store.dropExpired().then(
    (dropped) => { if (dropped.length > 0) log(`traces: dropped ${dropped.join(', ')} (DEVFLOW_TRACES_DAYS)`); },
    (err: unknown) => log(`traces: retention failed: ${String(err)}`),
  );
  const first = run();
  const periodic = runPeriodically(run, RETENTION_EVERY_MS);
  return {
    async stop() {
      await first;
      await periodic.stop();
    },
  };
}
