import { describe, expect, it } from 'vitest';
import type { Artifact } from '../core/types.js';
import { planArtifactRemoval, type RetainedRelease } from './retention.js';

const image = (tag: string): Artifact => ({ kind: 'image', image: `devflow/a:${tag}`, processes: { web: '' } });
const rel = (version: number, tag: string, artifactRemoved = false): RetainedRelease => ({ version, artifact: image(tag), artifactRemoved });
const versions = (list: RetainedRelease[]) => list.map((r) => r.version);

describe('planArtifactRemoval', () => {
  const five = [rel(1, 'a'), rel(2, 'b'), rel(3, 'c'), rel(4, 'd'), rel(5, 'e')];
  it.each([
    ['keeps the newest N', five, 2, 5, [], [1, 2, 3]],
    ['nothing beyond N', five, 10, 5, [], []],
    ['never the current release (after a rollback)', five, 2, 1, [], [2, 3]],
    ['never a release instances still run', five, 2, 5, [3], [1, 2]],
    ['a build shared with a kept release stays (config change reused it)', [rel(1, 'a'), rel(2, 'a'), rel(3, 'b'), rel(4, 'a')], 1, 4, [], [3]],
    ['already removed ones are skipped', [rel(1, 'a', true), rel(2, 'b'), rel(3, 'c')], 1, 3, [], [2]],
    ['keep below 1 still keeps one', five, 0, 5, [], [1, 2, 3, 4]],
  ])('%s', (_name, releases, keep, current, inUse, expected) => {
    expect(versions(planArtifactRemoval(releases, keep, current, new Set(inUse)))).toEqual(expected);
  });

  it('removes two old releases sharing one build together', () => {
    const list = [rel(1, 'a'), rel(2, 'a'), rel(3, 'b'), rel(4, 'c')];
    expect(versions(planArtifactRemoval(list, 2, 4, new Set()))).toEqual([1, 2]);
  });
});
