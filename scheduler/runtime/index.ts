/**
 * The runtime drivers' public face: the contract, the one selector, and the process driver.
 * The docker and swarm drivers are not re-exported: importing them loads dockerode, which
 * select.ts loads only when one of them is chosen (issue 23); code that needs one imports
 * its file.
 */
export type { InstanceSpec, LogRead, LogsOptions, ReadLine, ReadOnlyMount, RuntimeDriver, StopOptions, TtyOptions, TtySession, UsageReading } from './types.js';
export { CONTAINER_PORT, DEFAULT_GRACE_MS, DEFAULT_LOG_TAIL } from './types.js';
export { selectRuntime, dockerAnswers, type SelectRuntimeOptions } from './select.js';
export { ProcessRuntime, type ProcessRuntimeOptions } from './process.js';
export { releaseAndSlotOf } from './naming.js';
