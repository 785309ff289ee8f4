/**
 * The runtime drivers' public face: the contract, the one selector, and the drivers (for the
 * tests and tools that need a specific one).
 */
export type { InstanceSpec, LogRead, LogsOptions, ReadLine, RuntimeDriver, StopOptions } from './types.js';
export { CONTAINER_PORT, DEFAULT_GRACE_MS, DEFAULT_LOG_TAIL } from './types.js';
export { selectRuntime, dockerAnswers, type SelectRuntimeOptions } from './select.js';
export { DockerRuntime } from './docker.js';
export { ProcessRuntime, type ProcessRuntimeOptions } from './process.js';
export { releaseAndSlotOf } from './naming.js';
