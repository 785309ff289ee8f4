/**
 * Which router spans are kept (issue 18, "Sampling per app"). The decision is made twice:
 *
 * - at the start, for the app: the `sampled` flag of the traceparent it gets. A caller's own
 *   decision is kept (W3C Trace Context §3.2.2.5, as OpenTelemetry's parent-based sampler does);
 *   otherwise a share `ratio` of requests is sampled.
 * - at the end, for the router's own span: kept when sampled at the start, and always when the
 *   response was a server error or slow, since those are the requests someone will look for.
 */
import type { TraceParent } from './trace-context.js';

export interface TraceSampling {
  /** Share of ordinary requests sampled, 0 to 1. */
  ratio: number;
  /** A request at least this slow (ms) keeps its router span. */
  slowMs: number;
}

export const DEFAULT_TRACE_SAMPLING: TraceSampling = { ratio: 0.1, slowMs: 1000 };

/** `fraction`: a uniform random number in [0, 1). */
export function sampledAtStart(parent: TraceParent | undefined, rule: TraceSampling, fraction: number): boolean {
  if (parent !== undefined) return parent.sampled;
  return fraction < rule.ratio;
}

/** `slowMs`: the rule's threshold (TraceSampling.slowMs), the only part of it needed at the end. */
export function keepSpan(sampled: boolean, status: number, durationMs: number, slowMs: number): boolean {
  return sampled || status >= 500 || durationMs >= slowMs;
}
