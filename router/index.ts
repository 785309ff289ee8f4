/**
 * The router role (DESIGN.md, "router/"): one routing table, served by the embedded proxy or
 * rendered as Traefik file-provider configuration.
 */
export { buildRoutingTable, lookupRoute } from './table.js';
export type { Route, RoutingInput, RoutingTable, Upstream } from './table.js';
export { EmbeddedProxy } from './proxy.js';
export type { EmbeddedProxyOptions } from './proxy.js';
export { renderTraefikConfig, writeTraefikConfig } from './traefik.js';
