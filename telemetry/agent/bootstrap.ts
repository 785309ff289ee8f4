/**
 * DevFlow's zero-config OpenTelemetry agent for Node apps (issue 18, "Zero-config
 * instrumentation"). This file is not run by DevFlow: agent-files.ts bundles it into one
 * CommonJS file (`sdk.cjs`) that the loader (loader.ts, preloaded through NODE_OPTIONS
 * `--require`) starts before the app's own code, so the instrumentations hook `http`, `pg` and
 * fetch (undici) as the app loads them. CommonJS apps are hooked through `require`; for an
 * ES-module app the loader also asks for the ES-module hook (`hook.mjs`, import-in-the-middle as
 * @opentelemetry/instrumentation uses it), registered with `module.register` (Node 18.19/20.6+)
 * for the instrumented modules only, so the app's other modules load untouched.
 *
 * Everything it needs comes from the OpenTelemetry SDK's standard environment, which DevFlow
 * sets (telemetry/env.ts) and the app's own config vars override: OTEL_EXPORTER_OTLP_ENDPOINT
 * and _HEADERS (read by the exporter), OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env
 * detector), OTEL_PROPAGATORS (read by register()). Spans go out in batches over OTLP/HTTP JSON
 * (DevFlow's receiver takes both encodings); the exporter suppresses tracing of its own requests.
 * JSON, not protobuf, for the agent's start-up: the protobuf encoder's generated code for every
 * signal was half of the bundle every instance parses (docs/benchmarks.md, issue 18).
 */
import * as nodeModule from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { detectResourcesSync, envDetectorSync, hostDetectorSync, processDetectorSync } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { startUsageReports } from './usage-report.js';

/** The modules the ES-module hook wraps: those the instrumentations patch (undici's fetch is traced through diagnostics channels). */
const ESM_HOOKED = ['http', 'https', 'pg', 'pg-pool'];

/**
 * OTLP/HTTP JSON spans to OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT with its _HEADERS, put together
 * from the OpenTelemetry exporter packages' own parts as their protobuf exporter is.
 */
class JsonSpanExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor() {
    super(createOtlpHttpExportDelegate(
      convertLegacyHttpOptions({}, 'TRACES', 'v1/traces', { 'Content-Type': 'application/json' }),
      JsonTraceSerializer,
    ));
  }
}

export interface AgentOptions {
  /** The file URL of hook.mjs, for an ES-module app. */
  esmHook?: string;
}

function registerEsmHook(hook: string): void {
  // Older Nodes have no module.register: such an app keeps its fetch spans and the router's.
  if (typeof nodeModule.register !== 'function') {
    process.stderr.write('devflow otel agent: this Node cannot hook ES modules (module.register needs Node 18.19 or 20.6+)\n');
    return;
  }
  nodeModule.register(hook, { data: { include: ESM_HOOKED } });
}

export function startAgent(options: AgentOptions = {}): void {
  if (options.esmHook !== undefined) registerEsmHook(options.esmHook);
  // Only the detectors that read this machine: cloud detectors would probe metadata servers.
  const resource = detectResourcesSync({ detectors: [envDetectorSync, processDetectorSync, hostDetectorSync] });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new JsonSpanExporter())] });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // Health checks and the like still get spans: the router decides what a trace is worth.
      new HttpInstrumentation(),
      new PgInstrumentation(),
      new UndiciInstrumentation(),
    ],
  });
  // The task's own CPU and memory, for tasks on swarm nodes DevFlow's engine cannot read (usage-report.ts).
  startUsageReports(process.env, (fn) => context.with(suppressTracing(context.active()), fn));
  // Spans still in the batch go out when the app ends on its own. No signal handlers: adding one
  // would change how the app answers SIGTERM.
  process.once('beforeExit', () => void provider.shutdown().catch(() => undefined));
}
