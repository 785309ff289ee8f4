/**
 * The telemetry role (issue 18): its face. Each part keeps its own index; these lines join them.
 */
export * from './logs/index.js';
export * from './errors/index.js';
export { startTelemetryLoops, type TelemetryLoops, type TelemetryLoopsOptions } from './loops.js';
export * from './alerts/index.js';
export * from './metrics/index.js';
