/**
 * Applies release retention after a release went live: the builds (images, slugs) of releases
 * older than the newest DEVFLOW_KEEP_RELEASES are removed through the runtime and the releases
 * marked, so a rollback to them says plainly that their build is gone. A failure here never
 * fails the deploy: it is logged and tried again after the next release.
 */
import { errorMessage } from '../core/errors.js';
import type { AppName } from '../core/names.js';
import { getApp } from '../core/store/apps.js';
import { markArtifactRemoved } from '../core/store/release-states.js';
import { listReleases } from '../core/store/releases.js';
import type { LogSink } from '../core/types.js';
import type { SchedulerDeps } from './deps.js';
import { DEFAULT_KEEP_RELEASES, planArtifactRemoval } from './retention.js';

/** Enough history to find every build still on disk; older ones were removed long ago. */
const RETENTION_SCAN = 1000;

export async function pruneReleaseArtifacts(deps: SchedulerDeps, app: { id: number; name: AppName }, log: LogSink): Promise<void> {
  if (!deps.runtime.removeArtifact) return;
  try {
    const [current, releases, instances] = await Promise.all([
      getApp(deps.sql, app.name), listReleases(deps.sql, app.id, RETENTION_SCAN), deps.runtime.list(app.name),
    ]);
    const inUse = new Set(instances.map((i) => i.release));
    const remove = planArtifactRemoval(releases, deps.keepReleases ?? DEFAULT_KEEP_RELEASES, current.currentRelease, inUse);
    const removed: number[] = [];
    try {
      for (const release of remove) {
        await deps.runtime.removeArtifact(release.artifact);
        removed.push(release.version);
      }
    } finally {
      await markArtifactRemoved(deps.sql, app.id, removed);
    }
    if (removed.length > 0) log.line(`-----> Removed the builds of ${removed.map((v) => `v${v}`).join(', ')} (keeping the last ${deps.keepReleases ?? DEFAULT_KEEP_RELEASES} releases)`);
  } catch (err) {
    log.line(`       (could not remove old builds: ${errorMessage(err)})`);
  }
}
