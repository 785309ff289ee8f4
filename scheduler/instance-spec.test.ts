import { describe, expect, it } from 'vitest';
import { parseAppName } from '../core/names.js';
import type { Release } from '../core/types.js';
import { instanceSpec, oneOffLimits } from './instance-spec.js';

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

describe('instanceEnv with telemetry (issue 18)', () => {
  const otel = { OTEL_SERVICE_NAME: 'a', OTEL_RESOURCE_ATTRIBUTES: 'devflow.app=a' };
  it.each([
    ['DevFlow names the release and the instance', {}, 'devflow.app=a,service.version=v3,service.instance.id=web.2,devflow.process.type=web'],
    ['the user\'s own attributes win', { OTEL_RESOURCE_ATTRIBUTES: 'team=x' }, 'team=x'],
  ])('%s', (_name, config, attributes) => {
    const spec = instanceSpec(parseAppName('a'), { ...release, config: { ...config } } as Release, 'web', 2, otel);
    expect(spec.env.OTEL_RESOURCE_ATTRIBUTES).toBe(attributes);
    expect(spec.env.OTEL_SERVICE_NAME).toBe('a');
  });

  it('adds nothing when telemetry is off', () => {
    expect(instanceSpec(parseAppName('a'), release, 'web', 2, {}).env).not.toHaveProperty('OTEL_RESOURCE_ATTRIBUTES');
  });

  it.each([
    ['the agent preload alone', {}, { NODE_OPTIONS: '--require "/a.cjs"' }, '--require "/a.cjs"'],
    ['appended to the user\'s own NODE_OPTIONS', { NODE_OPTIONS: '--max-old-space-size=256' }, { NODE_OPTIONS: '--require "/a.cjs"' }, '--max-old-space-size=256 --require "/a.cjs"'],
    ['the user\'s own when DevFlow adds none', { NODE_OPTIONS: '--enable-source-maps' }, {}, '--enable-source-maps'],
  ])('NODE_OPTIONS: %s', (_name, config, platform, expected) => {
    const spec = instanceSpec(parseAppName('a'), { ...release, config } as Release, 'web', 1, { ...otel, ...platform });
    expect(spec.env.NODE_OPTIONS).toBe(expected);
  });
});

describe('oneOffLimits: a one-off run gets the size the app\'s web processes run at', () => {
  it.each([
    ['web at performance, worker at eco: performance', [{ processType: 'worker', size: 'eco' }, { processType: 'web', size: 'performance' }], { memoryMb: 2048, cpus: 2 }],
    ['web at eco', [{ processType: 'web', size: 'eco' }], { memoryMb: 256, cpus: 0.25 }],
    ['no web entry (a worker-only app): the default size', [{ processType: 'worker', size: 'eco' }], { memoryMb: 512, cpus: 0.5 }],
    ['no formation yet: the default size', [], { memoryMb: 512, cpus: 0.5 }],
  ])('%s', (_name, formation, limits) => {
    expect(oneOffLimits(formation)).toEqual(limits);
  });
});
