import { describe, expect, it } from 'vitest';
import {
  chooseRequestId,
  clientAddress,
  clientResponseHead,
  clientResponseHeadBytes,
  hasContentLength,
  readRequestFields,
  readRequestFieldsBytes,
  responseFacts,
  upstreamRequestHead,
  upstreamRequestHeadBytes,
} from './headers.js';
import { Http1Parser, type HeadBytes } from './http1/parser.js';
import { parseTraceparent } from './tracing/trace-context.js';

const ctx = { clientIp: '192.0.2.7', proto: 'http' as const, requestId: 'req-1' };

function forwarded(rawHeaders: string[], upgrade = false): string {
  return upstreamRequestHead({ method: 'GET', url: '/p?q=1', rawHeaders }, readRequestFields(rawHeaders), ctx, upgrade);
}

interface ReadHead {
  bytes: HeadBytes;
  method: string;
  url: string;
  statusCode: number;
  statusMessage: string;
}

/** A head as a client or an app sends it, read by the real parser into positions. */
function readHead(kind: 'request' | 'response', fields: string[]): ReadHead {
  let lines = kind === 'request' ? 'POST /p?q=1 HTTP/1.1\r\n' : 'HTTP/1.1 200 OK\r\n';
  for (let i = 0; i < fields.length; i += 2) lines += `${fields[i]}: ${fields[i + 1]}\r\n`;
  let read: ReadHead | undefined;
  const parser = new Http1Parser(kind, {
    onHead: (head) => {
      // Copied: the positions are only valid during the callback.
      const bytes = { buffer: Buffer.from(head.bytes!.buffer), spans: [...head.bytes!.spans] };
      read = { bytes, method: head.method, url: head.url, statusCode: head.statusCode, statusMessage: head.statusMessage };
      return true;
    },
    onBody: () => undefined,
    onMessageComplete: () => undefined,
  });
  parser.execute(Buffer.from(`${lines}\r\n`, 'latin1'));
  parser.close();
  return read!;
}

describe('upstreamRequestHead', () => {
  it.each([
    [['Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Accept', '*/*'], ['Accept: */*']],
    [['Connection', 'close, X-Secret', 'X-Secret', '1', 'X-Kept', '2'], ['X-Kept: 2']],
    [['Transfer-Encoding', 'gzip', 'TE', 'trailers', 'Trailer', 'x', 'Upgrade', 'h2c'], []],
    [['Proxy-Authorization', 'Basic x', 'Proxy-Connection', 'keep-alive', 'Cookie', 'a=1'], ['Cookie: a=1']],
    [['X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'evil', 'X-Request-Id', 'spoofed'], []],
  ])('%j keeps only end-to-end fields the client may set', (raw, kept) => {
    const head = forwarded(raw);
    const lines = head.split('\r\n').slice(1).filter((l) => l !== '' && !/^X-(Forwarded|Request)/.test(l));
    expect(lines).toEqual(kept);
  });

  it.each([
    [['Host', 'a.localhost'], '192.0.2.7'],
    [['Host', 'a.localhost', 'X-Forwarded-For', '10.0.0.1'], '10.0.0.1, 192.0.2.7'],
    [['Host', 'a.localhost', 'X-Forwarded-For', '10.0.0.1', 'x-forwarded-for', '10.0.0.2'], '10.0.0.1, 10.0.0.2, 192.0.2.7'],
  ])('%j → X-Forwarded-For %s, with the proxy as the edge', (raw, chain) => {
    const head = forwarded(raw);
    expect(head.startsWith('GET /p?q=1 HTTP/1.1\r\nHost: a.localhost\r\n')).toBe(true);
    expect(head).toContain(`X-Forwarded-For: ${chain}\r\n`);
    expect(head).toContain('X-Forwarded-Proto: http\r\nX-Forwarded-Host: a.localhost\r\nX-Request-Id: req-1\r\n');
    expect(head.endsWith('\r\n\r\n')).toBe(true);
  });

  it('keeps chunked framing for bodies without a length, and a length as it is', () => {
    expect(forwarded(['Transfer-Encoding', 'chunked'])).toContain('Transfer-Encoding: chunked\r\n');
    const sized = forwarded(['Content-Length', '5']);
    expect(sized).toContain('Content-Length: 5\r\n');
    expect(sized).not.toContain('Transfer-Encoding');
  });

  it('keeps the upgrade pair on Upgrade requests only', () => {
    const raw = ['Host', 'a.localhost', 'Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'];
    expect(forwarded(raw)).not.toMatch(/Upgrade: websocket/);
    const head = forwarded(raw, true);
    expect(head).toContain('Sec-WebSocket-Key: k\r\n');
    expect(head.endsWith('Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n')).toBe(true);
  });
});

describe('readRequestFields', () => {
  it('counts Host fields and keeps the first', () => {
    expect(readRequestFields(['Host', 'a', 'host', 'b'])).toMatchObject({ host: 'a', hostCount: 2 });
  });
  it('reads framing and the Connection list', () => {
    expect(readRequestFields(['Content-Length', '3', 'Connection', 'close, X-A'])).toMatchObject({
      contentLength: '3', chunked: false, connectionNamed: ['close', 'x-a'],
    });
  });
});

describe('clientResponseHead', () => {
  const line = { statusCode: 200, statusMessage: 'OK', rawHeaders: ['Content-Type', 'text/plain', 'Keep-Alive', 'timeout=99', 'X-Request-Id', 'app-set'] };
  it.each([
    ['length', 'keep-alive', ''],
    ['chunked', 'keep-alive', 'Transfer-Encoding: chunked\r\n'],
    ['close', 'keep-alive', 'Connection: close\r\n'],
    ['length', 'close', 'Connection: close\r\n'],
    ['length', 'keep-alive-1.0', 'Connection: keep-alive\r\n'],
  ] as const)('framing %s, client %s', (framing, client, tail) => {
    expect(clientResponseHead(line, 'req-1', framing, client)).toBe(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Request-Id: req-1\r\n${tail}\r\n`);
  });
});

describe('chooseRequestId', () => {
  it.each(['abc', 'trace-123_x.y:z', 'a'.repeat(128), '3f2a6c1e-0000-4000-8000-000000000000'])('keeps %j', (id) => {
    expect(chooseRequestId(id)).toBe(id);
  });
  it.each(['', 'has space', '<script>', 'a'.repeat(129), undefined])('replaces %j', (id) => {
    expect(chooseRequestId(id)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('clientAddress', () => {
  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    [undefined, 'unknown'],
  ])('%j → %s', (raw, address) => expect(clientAddress(raw)).toBe(address));
});

describe('clientResponseHeadBytes', () => {
  it.each([
    [['Content-Type', 'text/plain', 'Content-Length', '3']],
    [['Server', 'nginx', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Content-Length', '0']],
    [['Connection', 'close, X-Secret', 'X-Secret', '1', 'X-Kept', '2', 'X-Request-Id', 'app-set']],
    [['Transfer-Encoding', 'chunked', 'Trailer', 'x', 'Upgrade', 'h2c', 'Proxy-Authenticate', 'Basic']],
    [['X-Empty', '', 'Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'X-Utf8', 'caf\u00c3\u00a9']],
    [['Content-Length', '0', 'X-Trailing', 'v \t']],
    [['Content-Length', '0', 'X-Empty-Last', '']],
    [[]],
  ])('%j: the same head as from strings', (fields) => {
    const { bytes, statusCode, statusMessage } = readHead('response', fields);
    const facts = responseFacts(bytes);
    for (const framing of ['length', 'chunked', 'close'] as const) {
      const expected = clientResponseHead({ statusCode, statusMessage, rawHeaders: fields }, 'req-1', framing, 'keep-alive');
      expect(clientResponseHeadBytes({ statusCode, statusMessage }, bytes, facts, 'req-1', framing, 'keep-alive')).toBe(expected);
    }
    expect(facts.contentLength).toBe(hasContentLength(fields));
  });
});

describe('upstreamRequestHeadBytes', () => {
  it.each([
    [['Host', 'a.localhost', 'Accept', '*/*']],
    [['Host', 'a.localhost', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Content-Length', '3']],
    [['Host', 'a.localhost', 'Connection', 'close, X-Secret', 'X-Secret', '1', 'X-Kept', '2']],
    [['Host', 'a.localhost', 'Transfer-Encoding', 'chunked', 'TE', 'trailers', 'Upgrade', 'h2c', 'Proxy-Authorization', 'Basic x']],
    [['host', 'a.localhost', 'X-Forwarded-For', '10.0.0.1', 'x-forwarded-for', '10.0.0.2', 'X-Forwarded-Proto', 'https', 'X-Request-Id', 'abc']],
    [['Host', 'a', 'HOST', 'b', 'X-Forwarded-Host', 'evil', 'X-Empty', '', 'Cookie', 'a=1', 'X-Utf8', 'caf\u00c3\u00a9']],
    [['Host', 'a.localhost', 'X-Trailing', 'v \t']],
    [['Host', 'a.localhost', 'X-Empty-Last', '']],
    [[]],
  ])('%j: the same fields and head as from strings', (fields) => {
    const { bytes, method, url } = readHead('request', fields);
    const read = readRequestFieldsBytes(bytes);
    expect(read).toEqual(readRequestFields(fields));
    for (const proto of ['http', 'https'] as const) {
      const context = { ...ctx, proto };
      const expected = upstreamRequestHead({ method, url, rawHeaders: fields }, read, context);
      expect(upstreamRequestHeadBytes({ method, url }, bytes, read, context)).toBe(expected);
    }
  });
});

describe('traceparent (issue 18)', () => {
  const traced = { ...ctx, trace: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), sampled: true } };
  const fields = ['Host', 'a.localhost', 'TraceParent', `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`, 'tracestate', 'k=v'];

  it("replaces the caller's traceparent with the router's, keeps tracestate, from strings and from bytes alike", () => {
    const { bytes, method, url } = readHead('request', fields);
    const read = readRequestFieldsBytes(bytes);
    expect(read.traceparent).toBe(fields[3]);
    const fromStrings = upstreamRequestHead({ method, url, rawHeaders: fields }, read, traced);
    expect(upstreamRequestHeadBytes({ method, url }, bytes, read, traced)).toBe(fromStrings);
    expect(fromStrings).toContain(`traceparent: 00-${'a'.repeat(32)}-${'b'.repeat(16)}-01\r\n`);
    expect(fromStrings).not.toContain('cccc');
    expect(fromStrings).toContain('tracestate: k=v\r\n');
  });

  it("passes the caller's traceparent unchanged with tracing off", () => {
    const { bytes, method, url } = readHead('request', fields);
    const head = upstreamRequestHeadBytes({ method, url }, bytes, readRequestFieldsBytes(bytes), ctx);
    expect(head).toContain(`TraceParent: ${fields[3]}\r\n`);
    expect(head.match(/traceparent/gi)).toHaveLength(1);
  });

  it('flags an unsampled request 00, in a field the traceparent reader accepts', () => {
    const unsampled = { ...ctx, trace: { ...traced.trace, sampled: false } };
    const head = upstreamRequestHead({ method: 'GET', url: '/', rawHeaders: ['Host', 'a.localhost'] }, readRequestFields(['Host', 'a.localhost']), unsampled);
    const value = /\r\ntraceparent: ([^\r]*)\r\n/.exec(head)![1];
    expect(parseTraceparent(value)).toEqual({ traceId: 'a'.repeat(32), parentId: 'b'.repeat(16), sampled: false });
  });
});
