/**
 * boot/: the composition root's face. `devflow up` (cli/commands/up.ts) starts DevFlow through
 * `startDevflow`, which runs the named steps of steps.ts in order and stops them backwards
 * (docs/architecture.md, "Starting and stopping").
 */
export { startDevflow, type RunningDevflow } from './start.js';
