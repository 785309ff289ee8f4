import { describe, expect, it } from 'vitest';
import { initialAclFile, redisLayout, renderRedisConf } from './server-plan.js';

describe('the add-on Redis server files', () => {
  const layout = redisLayout('/srv/devflow');

  it.each([
    ['host processes only', [], 'bind 127.0.0.1'],
    ['containers too: the bridge gateway', ['172.17.0.1'], 'bind 127.0.0.1 172.17.0.1'],
    ['loopback given twice is bound once', ['127.0.0.1'], 'bind 127.0.0.1'],
  ])('listens on %s', (_case, listen, bind) => {
    const conf = renderRedisConf(layout, 6390, listen).split('\n');
    expect(conf).toContain(bind);
    expect(conf).toContain('port 6390');
  });

  it('keeps data, ACL users and pid under DEVFLOW_HOME/redis, append-only', () => {
    const conf = renderRedisConf(layout, 6390, []).split('\n');
    expect(conf).toEqual(expect.arrayContaining([
      'dir /srv/devflow/redis/data', 'aclfile /srv/devflow/redis/users.acl', 'pidfile /srv/devflow/redis/redis.pid', 'appendonly yes',
    ]));
  });

  it('starts with only the operator\'s default user', () => {
    expect(initialAclFile('secret')).toBe('user default on >secret ~* &* +@all\n');
  });
});
