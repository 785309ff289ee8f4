/**
 * scheduler/: the role that owns deployments, releases and the process formation (DESIGN.md,
 * "scheduler/"). This is its face: the rest of DevFlow imports the scheduler from here only.
 *
 * - a deployment enters through `enqueueDeployment` and runs in `runDeployment` (a queue job);
 * - releases, config changes, rollbacks and scaling go through `releaseOperations`;
 * - `reconcileAll` and `superviseAll` keep the runtime matching the store after any restart;
 * - `RouteSync` turns the store and the runtime into the router's input;
 * - previews are child apps made by the preview manager; runtime drivers sit behind `RuntimeDriver`;
 * - `startLogCollector` keeps every instance's output in the store.
 */
export type { RouteRefresher, SchedulerDeps } from './deps.js';
export { enqueueDeployment, followDeployment, type DeploymentRequest, type EnqueueDeps, type WriteSource } from './enqueue.js';
export { runDeployment } from './pipeline.js';
export { cancelDeployment, cancelInProgress, cancelledReason, type CancelDeps } from './cancel.js';
export { releaseOperations, type ReleaseOperations } from './release-manager.js';
export { DEFAULT_HEALTH_CHECK } from './health.js';
export { reconcileAll } from './reconciler.js';
export { SUPERVISE_EVERY_MS, superviseAll } from './supervisor.js';
export { RouteSync, readRoutingInput } from './routes.js';
export { createAppDatabaseEnv, type AppDatabaseEnv, type DatabaseSettings, type PlatformEnv } from './database-env.js';
export { parseConfigPatch } from './config-changes.js';
export { instanceEnv, oneOffLimits } from './instance-spec.js';
export { parseScaleRequest } from './scale.js';
export { startLogCollector, type LogCollector } from './logs/collector.js';
export { expireIdlePreviews, preparePreview, removePreview, type PreviewDeps } from './previews/manager.js';
export type { PreviewAddonEnv, PreviewAddonHook } from './previews/app-context.js';
export { branchSlug, pullRequestSlug } from './previews/slug.js';
export { hmacHex, parsePullRequestEvent, verifyDelivery } from './previews/webhook.js';
export {
  ProcessRuntime, releaseAndSlotOf, selectRuntime, type InstanceSpec, type RuntimeDriver, type TtySession,
} from './runtime/index.js';
export { isCrashLoop } from './crash-loop.js';
// What the product roles need of the scheduler (issue 14): billing meters and limits instance sizes and
// the scale requests it quotas; telemetry turns usage readings into CPU figures; the backend and
// telemetry add to processes' env and mounts, and the backend deploys functions through the source hook.
export { DEFAULT_SIZE, SIZES, type SizeLimits, type SizeName } from './sizes.js';
export type { ScaleRequest } from './scale.js';
export type { SourceHook } from './deps.js';
export type { ReadOnlyMount, UsageReading } from './runtime/index.js';
export { cpuPercent } from './runtime/usage.js';
