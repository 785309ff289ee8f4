/**
 * The router role (DESIGN.md, "router/"): one routing table, served by the embedded proxy or
 * rendered as Traefik file-provider configuration; certificates (self-signed, operator, ACME)
 * and traffic metrics.
 */
export { buildRoutingTable, lookupRoute } from './table.js';
export type { Route, RoutingInput, RoutingTable, Upstream } from './table.js';
export { EmbeddedProxy } from './proxy.js';
export type { EmbeddedProxyOptions } from './proxy.js';
export { renderTraefikConfig, writeTraefikConfig } from './traefik.js';
export { startRouter } from './service.js';
export type { RouterService, RouterServiceOptions } from './service.js';
export { serveMetrics } from './metrics-endpoint.js';
export type { RouterSpan, SpanSink } from './tracing/span-buffer.js';
export type { RouterTracer } from './tracing/tracer.js';
export { FirstRequestWatch, type FirstRequest, type FirstRequestSink } from './tracing/first-request.js';
export type { TraceSampling } from './tracing/sampling.js';
export { LATENCY_BUCKETS } from './metrics.js';
