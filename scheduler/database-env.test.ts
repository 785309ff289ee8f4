import { describe, expect, it } from 'vitest';
import { parseAppName } from '../core/names.js';
import type { Release } from '../core/types.js';
import { appDatabaseEndpoint } from './database-env.js';
import { instanceEnv } from './instance-spec.js';

describe('where apps reach the platform PostgreSQL', () => {
  it.each([
    ['host processes use the loopback server as is', 'postgres://u:p@127.0.0.1:5433/db', 'process', '172.17.0.1', '127.0.0.1', 5433],
    ['containers use the bridge gateway instead of loopback', 'postgres://u:p@127.0.0.1:5433/db', 'docker', '172.17.0.1', '172.17.0.1', 5433],
    ['swarm tasks too', 'postgres://u:p@localhost/db', 'swarm', '172.17.0.1', '172.17.0.1', 5432],
    ['a named server is used as it is', 'postgres://u:p@db.internal:6543/db', 'docker', '172.17.0.1', 'db.internal', 6543],
    ['without a bridge, loopback stays', 'postgres://u:p@127.0.0.1:5433/db', 'docker', undefined, '127.0.0.1', 5433],
    ['IPv6 loopback', 'postgres://u:p@[::1]:5433/db', 'process', undefined, '::1', 5433],
  ] as const)('%s', (_what, url, runtime, gateway, host, port) => {
    expect(appDatabaseEndpoint(url, runtime, gateway)).toEqual({ host, port });
  });
});

describe('DATABASE_URL in the instance environment', () => {
  const release = (config: Record<string, string>): Release => ({
    id: 1, app: parseAppName('a'), version: 3, deploymentId: null, sha: null, description: '', createdAt: new Date(),
    actor: 'admin', state: 'succeeded', failureReason: null, artifactRemoved: false,
    artifact: { kind: 'image', image: 'i', processes: { web: '' } }, config,
  });
  const platform = { DATABASE_URL: 'postgres://app@172.17.0.1/app' };

  it('is injected beside the config vars', () => {
    expect(instanceEnv(parseAppName('a'), release({ K: 'v' }), platform)).toEqual({
      DATABASE_URL: platform.DATABASE_URL, K: 'v', DEVFLOW_APP: 'a', DEVFLOW_RELEASE: 'v3',
    });
  });

  it('a DATABASE_URL config var set by the user wins', () => {
    const env = instanceEnv(parseAppName('a'), release({ DATABASE_URL: 'postgres://mine/db' }), platform);
    expect(env.DATABASE_URL).toBe('postgres://mine/db');
  });
});
