import { describe, expect, it } from 'vitest';
import { parseAppName } from '../core/names.js';
import type { Release } from '../core/types.js';
import { instanceSpec } from './instance-spec.js';

const release = { version: 3, config: { K: 'v' }, artifact: { kind: 'image', image: 'devflow/a:3' } } as unknown as Release;

describe('instanceSpec', () => {
  it.each([
    ['no size: no limits', undefined, {}],
    ['a known size: its limits', 'eco', { memoryMb: 256, cpus: 0.25 }],
    ['an unknown stored size: the default size', 'huge', { memoryMb: 512, cpus: 0.5 }],
  ])('%s', (_name, size, limits) => {
    const spec = instanceSpec(parseAppName('a'), release, 'web', 2, { DATABASE_URL: 'postgres://x' }, size);
    expect(spec).toEqual({
      app: 'a', release: 3, processType: 'web', slot: 2, artifact: release.artifact,
      env: { DATABASE_URL: 'postgres://x', K: 'v', DEVFLOW_APP: 'a', DEVFLOW_RELEASE: 'v3' }, ...limits,
    });
  });
});
