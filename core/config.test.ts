import { describe, expect, it } from 'vitest';
import { appUrl, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig({ HOME: '/home/u' });
    expect(config).toMatchObject({ domain: 'localhost', port: 7070, httpPort: 8080, httpsPort: 8443, runtime: 'auto' });
    expect(config.databaseUrl).toBeUndefined();
  });

  it.each([
    [{ DEVFLOW_DOMAIN: 'Apps.Example.com.' }, {}, { domain: 'apps.example.com' }],
    [{ DEVFLOW_PORT: '9000' }, { port: '9100' }, { port: 9100 }],
    [{ DEVFLOW_HOME: '/srv/devflow' }, {}, { home: '/srv/devflow' }],
    [{ DEVFLOW_RUNTIME: 'process' }, {}, { runtime: 'process' }],
    [{ DATABASE_URL: 'postgres://x/y', REDIS_URL: '' }, {}, { databaseUrl: 'postgres://x/y', redisUrl: undefined }],
  ])('env %j with flags %j gives %j', (env, flags, expected) => {
    expect(loadConfig(env, flags)).toMatchObject(expected);
  });

  it.each([
    [{}, { port: 'abc' }, /--port must be a port number/],
    [{}, { httpPort: 70000 }, /--http-port must be a port number/],
    [{}, { domain: 'bad domain' }, /not a valid DNS name/],
    [{ DEVFLOW_RUNTIME: 'k8s' }, {}, /runtime "k8s" is unknown/],
  ])('rejects env %j flags %j', (env, flags, message) => {
    expect(() => loadConfig(env, flags)).toThrow(message);
  });
});

describe('appUrl', () => {
  it.each([
    [{ domain: 'localhost', httpPort: 8080 }, 'hello', 'http://hello.localhost:8080/'],
    [{ domain: 'example.com', httpPort: 80 }, 'hello', 'http://hello.example.com/'],
  ])('%j %s', (config, app, url) => expect(appUrl(config, app)).toBe(url));
});
