/**
 * traces, traces:show, telemetry, telemetry:enable, telemetry:disable (issue 18): an app's
 * traces (trace id, duration, route, status, release), one trace as a waterfall, and the switch
 * that gives an app an ingest token and the OTEL_ variables.
 */
import type { SpanView, TelemetryView, TraceSummary } from '../../telemetry/index.js';
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { formatTable, print, type OutputOptions } from '../output.js';
import { formatDuration, renderWaterfall } from '../waterfall.js';

const appPath = (app: string, rest: string) => `/apps/${encodeURIComponent(app)}/${rest}`;

export function formatTraceList(traces: TraceSummary[]): string {
  if (traces.length === 0) return 'no traces in this window (errors and slow requests are always kept; others as sampled)';
  const rows = traces.map((t) => [
    t.traceId, formatDuration(t.durationMs), `${t.name}`, t.httpStatus === null ? (t.error ? 'error' : '-') : String(t.httpStatus),
    t.release ?? '-', t.startedAt.replace('T', ' ').slice(0, 19),
  ]);
  const header = ['TRACE ID', 'DURATION', 'ROUTE', 'STATUS', 'RELEASE', 'STARTED (UTC)'];
  return formatTable([header, ...rows]);
}

export async function listTraces({ app, opts }: CommandInput<OutputOptions & { slowest?: boolean; since?: string; limit?: string }>): Promise<void> {
  const query = new URLSearchParams({ since: opts.since ?? '1h' });
  if (opts.slowest) query.set('slowest', 'true');
  if (opts.limit !== undefined) query.set('limit', opts.limit);
  const traces = await createClient(process.env).request<TraceSummary[]>('GET', `${appPath(app, 'traces')}?${query}`);
  print(opts, traces, () => formatTraceList(traces));
}

export async function showTrace({ app, args, opts }: CommandInput<OutputOptions>): Promise<void> {
  const traceId = args[0]!;
  const trace = await createClient(process.env).request<{ traceId: string; spans: SpanView[] }>('GET', appPath(app, `traces/${encodeURIComponent(traceId)}`));
  print(opts, trace, () => [`trace ${trace.traceId} (${trace.spans.length} span${trace.spans.length === 1 ? '' : 's'})`, ...renderWaterfall(trace.spans)].join('\n'));
}

function formatTelemetry(view: TelemetryView): string {
  if (!view.enabled) return `telemetry is off for ${view.app} (devflow telemetry:enable ${view.app})`;
  return [
    `=== ${view.app} telemetry`,
    `OTLP endpoint: ${view.endpoint}  (POST /v1/traces, protobuf or JSON)`,
    `Ingest token:  ${view.ingestToken}  (header x-devflow-ingest-token)`,
    `Sampling:      ${view.sampleRatio ?? 'platform default (DEVFLOW_TRACE_SAMPLE)'}; slow from ${view.slowMs ?? 'DEVFLOW_TRACE_SLOW_MS'} ms`,
  ].join('\n');
}

export async function showTelemetry({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const view = await createClient(process.env).request<TelemetryView>('GET', appPath(app, 'telemetry'));
  print(opts, view, () => formatTelemetry(view));
}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new CliError(`--${name} takes a number, not "${value}"`, 'usage');
  return n;
}

export async function enableTelemetry({ app, opts }: CommandInput<OutputOptions & { sample?: string; slowMs?: string }>): Promise<void> {
  const body: Record<string, number> = {};
  const sample = number('sample', opts.sample);
  const slowMs = number('slow-ms', opts.slowMs);
  if (sample !== undefined) body.sample = sample;
  if (slowMs !== undefined) body.slowMs = slowMs;
  const view = await createClient(process.env).request<TelemetryView>('POST', appPath(app, 'telemetry'), body);
  print(opts, view, () => `${formatTelemetry(view)}\nThe app's processes get the OTEL_ variables from its next release (a deploy or config:set).`);
}

export async function disableTelemetry({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const view = await createClient(process.env).request<TelemetryView>('DELETE', appPath(app, 'telemetry'));
  print(opts, view, () => `telemetry is off for ${view.app}: its ingest token no longer works; the OTEL_ variables go at the next release`);
}
