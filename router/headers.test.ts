import { describe, expect, it } from 'vitest';
import { chooseRequestId, clientAddress, stripHopByHop, upgradeRequestHeaders, upstreamRequestHeaders } from './headers.js';

const ctx = { clientIp: '192.0.2.7', proto: 'http' as const, requestId: 'req-1' };

describe('stripHopByHop', () => {
  it.each([
    [{ connection: 'keep-alive', 'keep-alive': 'timeout=5', accept: '*/*' }, { accept: '*/*' }],
    [{ connection: 'close, X-Secret', 'x-secret': '1', 'x-kept': '2' }, { 'x-kept': '2' }],
    [{ 'transfer-encoding': 'chunked', te: 'trailers', trailer: 'x', upgrade: 'h2c' }, {}],
    [{ 'proxy-authorization': 'Basic x', 'proxy-connection': 'keep-alive', cookie: 'a=1' }, { cookie: 'a=1' }],
  ])('%j keeps only end-to-end fields', (input, kept) => {
    expect(stripHopByHop(input)).toEqual(kept);
  });
});

describe('chooseRequestId', () => {
  it.each(['abc', 'trace-123_x.y:z', 'a'.repeat(128), '3f2a6c1e-0000-4000-8000-000000000000'])('keeps %j', (id) => {
    expect(chooseRequestId(id)).toBe(id);
  });
  it.each(['', 'has space', '<script>', 'a'.repeat(129), undefined])('replaces %j', (id) => {
    expect(chooseRequestId(id)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
  it('uses the first of repeated headers', () => expect(chooseRequestId(['one', 'two'])).toBe('one'));
});

describe('upstreamRequestHeaders', () => {
  it.each([
    [{ host: 'a.localhost' }, '192.0.2.7'],
    [{ host: 'a.localhost', 'x-forwarded-for': '10.0.0.1' }, '10.0.0.1, 192.0.2.7'],
    [{ host: 'a.localhost', 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] }, '10.0.0.1, 10.0.0.2, 192.0.2.7'],
  ])('%j → X-Forwarded-For %s', (incoming, chain) => {
    const out = upstreamRequestHeaders(incoming, ctx);
    expect(out['x-forwarded-for']).toBe(chain);
    expect(out['x-forwarded-host']).toBe('a.localhost');
    expect(out['x-forwarded-proto']).toBe('http');
    expect(out['x-request-id']).toBe('req-1');
    expect(out.host).toBe('a.localhost');
  });

  it('keeps chunked framing for bodies without a length', () => {
    expect(upstreamRequestHeaders({ 'transfer-encoding': 'chunked' }, ctx)['transfer-encoding']).toBe('chunked');
    expect(upstreamRequestHeaders({ 'content-length': '5' }, ctx)['transfer-encoding']).toBeUndefined();
  });

  it('keeps the upgrade pair on Upgrade requests only', () => {
    const incoming = { host: 'a.localhost', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' };
    expect(upstreamRequestHeaders(incoming, ctx).upgrade).toBeUndefined();
    const out = upgradeRequestHeaders(incoming, ctx);
    expect(out).toMatchObject({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' });
  });
});

describe('clientAddress', () => {
  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    [undefined, 'unknown'],
  ])('%j → %s', (raw, address) => expect(clientAddress(raw)).toBe(address));
});
