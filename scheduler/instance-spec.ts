/**
 * What an instance of a release is given: its environment (what DevFlow injects, then the
 * app's config vars, then DEVFLOW_APP/DEVFLOW_RELEASE) and its runtime spec. Pure; shared by the
 * rollout, the release phase, the reconciler and the supervisor, so none of them imports another.
 */
import type { AppName, ProcessType } from '../core/names.js';
import type { Release } from '../core/types.js';
import type { InstanceSpec } from './runtime/types.js';
import { limitsOf, type SizeLimits } from './sizes.js';

/**
 * `platform` holds what DevFlow injects (DATABASE_URL, from deps.platformEnv.forApp); the app's
 * config vars come after it, so a DATABASE_URL the user set explicitly wins.
 */
export function instanceEnv(
  app: AppName, release: Release, platform: Record<string, string> = {}, instance?: { processType: string; slot: number },
): Record<string, string> {
  const env: Record<string, string> = { ...platform, ...release.config, DEVFLOW_APP: app, DEVFLOW_RELEASE: `v${release.version}` };
  // Telemetry's OTEL_RESOURCE_ATTRIBUTES (telemetry/env.ts), unless the user set their own, names the release and the instance.
  if (platform.OTEL_RESOURCE_ATTRIBUTES !== undefined && release.config.OTEL_RESOURCE_ATTRIBUTES === undefined) {
    const extra = [`service.version=v${release.version}`];
    if (instance !== undefined) extra.push(`service.instance.id=${instance.processType}.${instance.slot}`, `devflow.process.type=${instance.processType}`);
    env.OTEL_RESOURCE_ATTRIBUTES = [platform.OTEL_RESOURCE_ATTRIBUTES, ...extra].join(',');
  }
  // Telemetry's Node agent preload is appended to the user's own NODE_OPTIONS, not replaced by it.
  if (platform.NODE_OPTIONS !== undefined && release.config.NODE_OPTIONS) {
    env.NODE_OPTIONS = `${release.config.NODE_OPTIONS} ${platform.NODE_OPTIONS}`;
  }
  return env;
}

export function instanceSpec(
  app: AppName,
  release: Release,
  processType: string,
  slot: number,
  platform: Record<string, string> = {},
  /** The formation's size name; its limits reach the runtime as memoryMb/cpus. */
  size?: string,
): InstanceSpec {
  return {
    app,
    release: release.version,
    processType: processType as ProcessType,
    slot,
    artifact: release.artifact,
    env: instanceEnv(app, release, platform, { processType, slot }),
    ...(size === undefined ? {} : limitsOf(size)),
  };
}

/**
 * The limits of a one-off run (`devflow run`, cron): the size the app's web processes run at,
 * as Heroku's one-off dynos take the app's dyno size, so a run cannot use more than the app
 * itself may; an app without a web formation entry gets the default size.
 */
export function oneOffLimits(formation: ReadonlyArray<{ processType: string; size: string }>): SizeLimits {
  return limitsOf(formation.find((f) => f.processType === 'web')?.size);
}
