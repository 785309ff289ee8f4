import { describe, expect, it } from 'vitest';
import { BROWSER_FIELDS, parseWrk, pauseScript, wrkArgs } from './wrk.js';

const sample = `Running 2s test @ http://127.0.0.1:8080/
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   512.00us  100.00us   3.00ms   90.00%
    Req/Sec    19.50k     1.00k   21.00k    80.00%
  Latency Distribution
     50%  480.00us
     75%  550.00us
     90%  700.00us
     99%    1.20ms
  39000 requests in 2.00s, 5.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  19500.00
Transfer/sec:      2.50MB
`;

describe('parseWrk', () => {
  it('reads requests/s, p50, p99 and errors', () => {
    expect(parseWrk(sample)).toEqual({ requestsPerSecond: 19500, p50Ms: 0.48, p99Ms: 1.2, errors: 7 });
  });
});

describe('pauseScript', () => {
  it('makes wrk wait the given milliseconds before each request', () => {
    expect(pauseScript(1)).toBe('function delay()\n  return 1\nend\n');
  });

  it.each([0, 0.5, -1, Number.NaN])('refuses a pause of %s ms, which wrk cannot time', (pauseMs) => {
    expect(() => pauseScript(pauseMs)).toThrow(/whole milliseconds/);
  });
});

describe('wrkArgs', () => {
  it.each([
    [{ connections: 16 }, undefined, ['-t1', '-c16', '-d10s', '--latency', '-H', 'Host: a.localhost', 'http://127.0.0.1:8080/']],
    [{ connections: 16, pauseMs: 1 }, '/tmp/p.lua', ['-t1', '-c16', '-d10s', '--latency', '-H', 'Host: a.localhost', '-s', '/tmp/p.lua', 'http://127.0.0.1:8080/']],
    [{ connections: 64, fields: ['Accept: */*', 'Cookie: a=1'] }, undefined,
      ['-t1', '-c64', '-d10s', '--latency', '-H', 'Host: a.localhost', '-H', 'Accept: */*', '-H', 'Cookie: a=1', 'http://127.0.0.1:8080/']],
  ])('%j', (load, script, args) => {
    expect(wrkArgs(8080, 'a.localhost', load, 10, script)).toEqual(args);
  });

  it('sends eleven browser fields beside Host, none of them Host', () => {
    expect(BROWSER_FIELDS).toHaveLength(11);
    expect(BROWSER_FIELDS.every((field) => /^[A-Za-z-]+: \S/.test(field) && !/^host:/i.test(field))).toBe(true);
  });
});
