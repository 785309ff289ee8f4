/**
 * Release retention (issue 4: "keep the last N images"), pure: which releases' images or slugs
 * to remove so the disk does not fill up. A build shared with a kept release (a config change
 * reuses its build), with the current release, or with a running instance is never removed.
 */
import type { Artifact } from '../core/types.js';

export const DEFAULT_KEEP_RELEASES = 10;

export interface RetainedRelease {
  version: number;
  artifact: Artifact;
  artifactRemoved: boolean;
}

/** The identity of a build on disk: two releases may share one. */
export function artifactKey(artifact: Artifact): string {
  return artifact.kind === 'image' ? `image:${artifact.image}` : `slug:${artifact.dir}`;
}

/** Versions whose artifact to remove, oldest first. `inUse` are versions that instances run. */
export function planArtifactRemoval(
  releases: RetainedRelease[],
  keep: number,
  current: number | null,
  inUse: ReadonlySet<number>,
): RetainedRelease[] {
  const newestFirst = [...releases].sort((a, b) => b.version - a.version);
  const kept = newestFirst.slice(0, Math.max(1, keep));
  const protectedVersions = new Set([...kept.map((r) => r.version), ...inUse, ...(current === null ? [] : [current])]);
  const protectedKeys = new Set(newestFirst.filter((r) => protectedVersions.has(r.version)).map((r) => artifactKey(r.artifact)));
  return newestFirst
    .filter((r) => !protectedVersions.has(r.version) && !r.artifactRemoved && !protectedKeys.has(artifactKey(r.artifact)))
    .reverse();
}
