import { describe, expect, it } from 'vitest';
import { parseBuildTimeout, parseDuration, parseReleaseTimeout, readCliSettings, readRouterVariables, readServerSettings, readPublicUrl, readTracingVariables, readTrustedProxies, readMaxRestarts, readMetricsEverySeconds } from './settings.js';
import { publicApiUrl } from './config.js';

describe('readServerSettings', () => {
  it('uses the documented defaults', () => {
    expect(readServerSettings({ HOME: '/home/u' })).toMatchObject({
      domain: 'localhost', port: 7070, httpPort: 8080, httpsPort: 8443, bindHost: '0.0.0.0', runtime: 'auto',
      databaseUrl: undefined, redisUrl: undefined, secretKey: undefined, keepReleases: 10, releaseTimeoutMs: 300_000, buildTimeoutMs: 1_800_000,
      maxPreviews: 10, previewTtlMs: 7 * 86_400_000, logLimits: { maxBytes: 100 * 1024 * 1024, maxDays: 7 },
      authFailuresPerMin: 20, dockerCli: undefined,
      router: { acmeDirectory: undefined, httpsRedirectAll: false, metricsAccess: 'token', tlsCertFile: undefined },
    });
  });

  it.each([
    [{ DEVFLOW_BIND: '127.0.0.1' }, {}, { bindHost: '127.0.0.1' }],
    [{ DEVFLOW_BIND: '::1' }, {}, { bindHost: '::1' }],
    [{ DEVFLOW_PORT: '9000' }, {}, { port: 9000 }],
    [{ DEVFLOW_PORT: '9000' }, { port: '9100' }, { port: 9100 }],
    [{ DEVFLOW_HTTP_PORT: '80', DEVFLOW_HTTPS_PORT: '443' }, {}, { httpPort: 80, httpsPort: 443 }],
    [{ DEVFLOW_RUNTIME: 'process' }, { runtime: 'swarm' }, { runtime: 'swarm' }],
    [{ DEVFLOW_HOME: '  ' }, { home: '/srv/devflow' }, { home: '/srv/devflow' }],
    [{ DEVFLOW_KEEP_RELEASES: '3' }, {}, { keepReleases: 3 }],
    [{ DEVFLOW_KEEP_RELEASES: '' }, {}, { keepReleases: 10 }],
    [{ DEVFLOW_MAX_PREVIEWS: '2', DEVFLOW_PREVIEW_TTL: '36h' }, {}, { maxPreviews: 2, previewTtlMs: 129_600_000 }],
    [{ DEVFLOW_LOG_MAX_MB: '1.5', DEVFLOW_LOG_MAX_DAYS: '0.5' }, {}, { logLimits: { maxBytes: 1_572_864, maxDays: 0.5 } }],
    [{ DEVFLOW_AUTH_FAILURES_PER_MIN: '5' }, {}, { authFailuresPerMin: 5 }],
    [{ DEVFLOW_DOCKER_CLI: '/opt/docker' }, {}, { dockerCli: '/opt/docker' }],
    [{ DEVFLOW_SECRET_KEY: ' ' }, {}, { secretKey: undefined }],
  ])('env %j with flags %j gives %j', (env, flags, expected) => {
    expect(readServerSettings(env, flags)).toMatchObject(expected);
  });

  it.each([
    [{ DEVFLOW_PORT: 'abc' }, {}, 'DEVFLOW_PORT must be a port number from 0 to 65535, got "abc"'],
    [{ DEVFLOW_PORT: 'abc' }, { port: '7000' }, undefined],
    [{}, { httpsPort: '99999' }, '--https-port must be a port number from 0 to 65535, got "99999"'],
    [{ DEVFLOW_BIND: 'all addresses' }, {}, 'DEVFLOW_BIND must be an IP address such as 127.0.0.1 or 0.0.0.0, or a host name, got "all addresses"'],
    [{ DEVFLOW_KEEP_RELEASES: '0' }, {}, 'DEVFLOW_KEEP_RELEASES must be a whole number of 1 or more, got "0"'],
    [{ DEVFLOW_KEEP_RELEASES: 'x' }, {}, 'DEVFLOW_KEEP_RELEASES must be a whole number of 1 or more, got "x"'],
    [{ DEVFLOW_MAX_PREVIEWS: 'ten' }, {}, 'DEVFLOW_MAX_PREVIEWS must be a whole number of 1 or more, got "ten"'],
    [{ DEVFLOW_PREVIEW_TTL: '7 days' }, {}, 'DEVFLOW_PREVIEW_TTL must be a duration like 90m, 36h or 7d, got "7 days"'],
    [{ DEVFLOW_LOG_MAX_MB: '-1' }, {}, 'DEVFLOW_LOG_MAX_MB must be a positive number of MB, got "-1"'],
    [{ DEVFLOW_AUTH_FAILURES_PER_MIN: '2.5' }, {}, 'DEVFLOW_AUTH_FAILURES_PER_MIN must be a whole number of 1 or more, got "2.5"'],
    [{ DEVFLOW_RUNTIME: 'k8s' }, {}, 'runtime "k8s" is unknown: use one of auto, docker, process, swarm'],
  ])('env %j with flags %j: %s', (env, flags, message) => {
    if (message === undefined) expect(() => readServerSettings(env, flags)).not.toThrow();
    else expect(() => readServerSettings(env, flags)).toThrow(message);
  });
});

describe('readRouterVariables', () => {
  it.each([
    [{ DEVFLOW_HTTPS_REDIRECT: 'on' }, { httpsRedirectAll: true }],
    [{ DEVFLOW_HTTPS_REDIRECT: 'No' }, { httpsRedirectAll: false }],
    [{ DEVFLOW_HTTPS_REDIRECT: '' }, { httpsRedirectAll: false }],
    [{ DEVFLOW_ACME_EMAIL: ' ops@example.com ' }, { acmeEmail: 'ops@example.com' }],
    [{ DEVFLOW_TLS_CERT_FILE: '/c.pem', DEVFLOW_TLS_KEY_FILE: '/k.pem' }, { tlsCertFile: '/c.pem', tlsKeyFile: '/k.pem' }],
  ])('%j gives %j', (env, expected) => expect(readRouterVariables(env)).toMatchObject(expected));
});

describe('readCliSettings', () => {
  it.each([
    [{ DEVFLOW_API: 'http://devflow.example.com:7070//' }, { api: 'http://devflow.example.com:7070' }],
    [{ DEVFLOW_TOKEN: ' dfl_x\n' }, { token: 'dfl_x' }],
    [{ DEVFLOW_CONFIG: '/tmp/c.json', DEVFLOW_HOME: '/srv/devflow' }, { configFile: '/tmp/c.json', home: '/srv/devflow' }],
    [{ DEVFLOW_API: '', DEVFLOW_TOKEN: '' }, { api: undefined, token: undefined }],
  ])('%j gives %j', (env, expected) => expect(readCliSettings(env)).toMatchObject(expected));
});

// Moved here with the parsing from scheduler/release-phase.ts and scheduler/previews/limits.ts.
describe('parseReleaseTimeout', () => {
  it.each([[undefined, 300_000], ['', 300_000], ['30', 30_000], ['1.5', 1_500]])('%j → %d ms', (value, ms) => {
    expect(parseReleaseTimeout(value)).toBe(ms);
  });
  it.each(['0', '-5', 'soon'])('refuses %j', (value) => {
    expect(() => parseReleaseTimeout(value)).toThrow('DEVFLOW_RELEASE_TIMEOUT must be a positive number of seconds');
  });
});

describe('parseBuildTimeout', () => {
  it.each([[undefined, 1_800_000], ['', 1_800_000], ['600', 600_000], ['2.5', 2_500]])('%j → %d ms', (value, ms) => {
    expect(parseBuildTimeout(value)).toBe(ms);
  });
  it.each(['0', '-1', '30m'])('refuses %j', (value) => {
    expect(() => parseBuildTimeout(value)).toThrow('DEVFLOW_BUILD_TIMEOUT must be a positive number of seconds');
  });
});

describe('parseDuration', () => {
  it.each([['90m', 5_400_000], ['36h', 129_600_000], ['7d', 604_800_000]])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['', '7', 'seven days', '-1d'])('rejects %j', (text) => expect(() => parseDuration(text)).toThrow(/not a duration/));
});

describe('readTracingVariables (issue 18)', () => {
  it.each([
    [{}, { enabled: true, sampleRatio: 0.1, slowMs: 1000, retentionDays: 7 }],
    [{ DEVFLOW_TRACING: 'off', DEVFLOW_TRACE_SAMPLE: '0', DEVFLOW_TRACE_SLOW_MS: '250', DEVFLOW_TRACES_DAYS: '2' }, { enabled: false, sampleRatio: 0, slowMs: 250, retentionDays: 2 }],
    [{ DEVFLOW_TRACE_SAMPLE: '1' }, { sampleRatio: 1 }],
  ])('%j', (env, expected) => {
    expect(readTracingVariables(env)).toMatchObject(expected);
  });

  it.each([
    [{ DEVFLOW_TRACE_SAMPLE: '1.5' }, 'DEVFLOW_TRACE_SAMPLE must be a share from 0 to 1'],
    [{ DEVFLOW_TRACE_SAMPLE: 'ten' }, 'DEVFLOW_TRACE_SAMPLE must be a share from 0 to 1'],
    [{ DEVFLOW_TRACING: 'maybe' }, 'DEVFLOW_TRACING="maybe" is not on or off'],
    [{ DEVFLOW_TRACES_DAYS: '0' }, 'DEVFLOW_TRACES_DAYS must be a whole number of 1 or more'],
  ])('refuses %j', (env, message) => {
    expect(() => readTracingVariables(env)).toThrow(message);
  });
});

describe('readPublicUrl (issue 22)', () => {
  it.each([
    [{}, undefined],
    [{ DEVFLOW_PUBLIC_URL: 'https://devflow.example.com/' }, 'https://devflow.example.com'],
    [{ DEVFLOW_PUBLIC_URL: ' https://example.com/devflow// ' }, 'https://example.com/devflow'],
    [{ DEVFLOW_PUBLIC_URL: 'http://10.0.0.5:7070' }, 'http://10.0.0.5:7070'],
  ])('%j → %j', (env, url) => expect(readPublicUrl(env)).toBe(url));

  it.each(['devflow.example.com', 'ftp://example.com', 'https://user:pw@example.com', 'https://example.com/?a=1'])('refuses %j', (value) => {
    expect(() => readPublicUrl({ DEVFLOW_PUBLIC_URL: value })).toThrow(/^DEVFLOW_PUBLIC_URL must be/);
  });

  it('gives the webhook base URL, else localhost and the API port', () => {
    expect(publicApiUrl({ port: 7070, publicUrl: readPublicUrl({ DEVFLOW_PUBLIC_URL: 'https://d.example.com' }) })).toBe('https://d.example.com');
    expect(publicApiUrl({ port: 7071 })).toBe('http://localhost:7071');
  });
});

describe('readTrustedProxies (issue 16)', () => {
  it('takes addresses and CIDR blocks, and refuses anything else', () => {
    expect(readTrustedProxies({})).toEqual([]);
    expect(readTrustedProxies({ DEVFLOW_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.7,2001:db8::/32' })).toEqual(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']);
    for (const bad of ['lb.example.com', '10.0.0.0/33', '10.0.0.1/8/2', '10.0.0.0/x']) {
      expect(() => readTrustedProxies({ DEVFLOW_TRUSTED_PROXIES: bad })).toThrow('DEVFLOW_TRUSTED_PROXIES');
    }
  });
});

describe('readMaxRestarts (a crash loop\'s restarts, every runtime)', () => {
  it.each([
    [{}, 5],
    [{ DEVFLOW_MAX_RESTARTS: '' }, 5],
    [{ DEVFLOW_MAX_RESTARTS: '2' }, 2],
    [{ DEVFLOW_MAX_RESTARTS: ' 1 ' }, 1],
    [{ DEVFLOW_MAX_RESTARTS: '20' }, 20],
  ])('env %j gives %d', (env, expected) => {
    expect(readMaxRestarts(env)).toBe(expected);
    expect(readServerSettings(env).maxRestarts).toBe(expected);
  });

  it.each(['0', '21', '2.5', '-1', 'five', '1e1'])('refuses %j, saying what it takes', (value) => {
    expect(() => readServerSettings({ DEVFLOW_MAX_RESTARTS: value })).toThrow(`DEVFLOW_MAX_RESTARTS must be a whole number from 1 to 20, got "${value}"`);
  });
});

describe('readMetricsEverySeconds (the metrics pass\'s period)', () => {
  it.each([
    [{}, 60],
    [{ DEVFLOW_METRICS_EVERY_SECONDS: '' }, 60],
    [{ DEVFLOW_METRICS_EVERY_SECONDS: '5' }, 5],
    [{ DEVFLOW_METRICS_EVERY_SECONDS: ' 15 ' }, 15],
    [{ DEVFLOW_METRICS_EVERY_SECONDS: '60' }, 60],
  ])('env %j gives %d s', (env, expected) => {
    expect(readMetricsEverySeconds(env)).toBe(expected);
    expect(readServerSettings(env).metricsEveryMs).toBe(expected * 1000);
  });

  it.each(['4', '0', '61', '7.5', '-10', 'ten', '1e1'])('refuses %j, saying what it takes', (value) => {
    expect(() => readServerSettings({ DEVFLOW_METRICS_EVERY_SECONDS: value })).toThrow(`DEVFLOW_METRICS_EVERY_SECONDS must be a whole number from 5 to 60, got "${value}"`);
  });
});
