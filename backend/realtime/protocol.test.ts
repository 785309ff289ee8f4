import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeBinary, decodeText, encodeBroadcast, encodeMessage, parseVsn, ProtocolError } from './protocol.js';

// realtime-js's own serializer is the judge of the 2.0.0 binary frames.
const require = createRequire(import.meta.url);
const Serializer = (require('@supabase/realtime-js/dist/main/lib/serializer.js') as { default: new () => ClientSerializer }).default;
interface ClientSerializer {
  encode(msg: unknown, callback: (result: ArrayBuffer | string) => unknown): unknown;
  decode(raw: ArrayBuffer | string, callback: (msg: any) => unknown): unknown;
}
const client = new Serializer();
const clientEncode = (msg: unknown) => client.encode(msg, (r) => r) as ArrayBuffer | string;
const clientDecode = (raw: ArrayBuffer | string) => client.decode(raw, (m) => m) as any;

describe('the Phoenix wire format', () => {
  it.each([
    ['1.0.0', '{"topic":"realtime:a","event":"phx_join","payload":{},"ref":"1","join_ref":"1"}', { join_ref: '1', ref: '1', topic: 'realtime:a', event: 'phx_join', payload: {} }],
    ['1.0.0', '{"topic":"phoenix","event":"heartbeat","payload":{},"ref":2}', { join_ref: null, ref: '2', topic: 'phoenix', event: 'heartbeat', payload: {} }],
    ['2.0.0', '["3","4","realtime:a","presence",{"event":"track"}]', { join_ref: '3', ref: '4', topic: 'realtime:a', event: 'presence', payload: { event: 'track' } }],
    ['2.0.0', '[null,"5","phoenix","heartbeat",{}]', { join_ref: null, ref: '5', topic: 'phoenix', event: 'heartbeat', payload: {} }],
  ] as const)('decodes a %s text frame %s', (vsn, text, expected) => {
    expect(decodeText(vsn, text)).toEqual(expected);
  });

  it.each([
    ['2.0.0', 'nope', /not JSON/],
    ['2.0.0', '{"topic":"a"}', /expected \[join_ref/],
    ['2.0.0', '[null,"1","","x",{}]', /needs a topic/],
    ['2.0.0', '[null,"1","t","x",5]', /payload must be an object/],
    ['1.0.0', '[1,2]', /expected \{topic/],
    ['1.0.0', '{"topic":"t","payload":{},"ref":"1"}', /needs an event/],
  ] as const)('refuses a malformed %s frame %s', (vsn, text, message) => {
    expect(() => decodeText(vsn, text)).toThrow(ProtocolError);
    expect(() => decodeText(vsn, text)).toThrow(message);
  });

  it('decodes the broadcast pushes realtime-js encodes, JSON and binary', () => {
    const json = Buffer.from(clientEncode({ join_ref: '1', ref: '2', topic: 'realtime:room', event: 'broadcast', payload: { type: 'broadcast', event: 'cursor', payload: { x: 1 } } }) as ArrayBuffer);
    expect(decodeBinary(json)).toEqual({ join_ref: '1', ref: '2', topic: 'realtime:room', event: 'broadcast', payload: { type: 'broadcast', event: 'cursor', payload: { x: 1 } } });
    const bytes = new Uint8Array([0, 1, 254]).buffer;
    const binary = Buffer.from(clientEncode({ join_ref: '1', ref: '3', topic: 'realtime:room', event: 'broadcast', payload: { type: 'broadcast', event: 'blob', payload: bytes } }) as ArrayBuffer);
    const decoded = decodeBinary(binary);
    expect(decoded.payload).toMatchObject({ event: 'blob', binary: Buffer.from([0, 1, 254]) });
  });

  it.each([
    [Buffer.from([0, 1, 2]), /kind 0/],
    [Buffer.from([3, 200, 0, 0, 0, 0, 1, 65]), /shorter than its header/],
    [Buffer.concat([Buffer.from([3, 0, 0, 1, 1, 0, 1]), Buffer.from('te{')]), /does not parse/],
    [Buffer.concat([Buffer.from([3, 0, 0, 1, 1, 0, 7]), Buffer.from('te')]), /unknown payload encoding 7/],
  ])('refuses a malformed binary frame', (frame, message) => {
    expect(() => decodeBinary(frame)).toThrow(message);
  });

  it('encodes broadcasts that realtime-js decodes, JSON and bytes; base64 for 1.0.0', () => {
    const json = encodeBroadcast('2.0.0', 'realtime:room', { event: 'cursor', payload: { x: 1 } }) as Buffer;
    expect(clientDecode(json.buffer.slice(json.byteOffset, json.byteOffset + json.length) as ArrayBuffer)).toEqual({
      join_ref: null, ref: null, topic: 'realtime:room', event: 'broadcast', payload: { type: 'broadcast', event: 'cursor', payload: { x: 1 } },
    });
    const bin = encodeBroadcast('2.0.0', 'realtime:room', { event: 'blob', payload: undefined, binary: Buffer.from([9, 8]) }) as Buffer;
    const decoded = clientDecode(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length) as ArrayBuffer);
    expect([...new Uint8Array(decoded.payload.payload as ArrayBuffer)]).toEqual([9, 8]);
    expect(JSON.parse(encodeBroadcast('1.0.0', 't', { event: 'blob', payload: undefined, binary: Buffer.from([9, 8]) }) as string))
      .toMatchObject({ topic: 't', event: 'broadcast', payload: { type: 'broadcast', event: 'blob', payload: 'CQg=' } });
  });

  it('encodes messages in each version as the client decodes them', () => {
    const m = { join_ref: '1', ref: '2', topic: 't', event: 'phx_reply', payload: { status: 'ok', response: {} } };
    expect(clientDecode(encodeMessage('2.0.0', m))).toEqual(m);
    expect(JSON.parse(encodeMessage('1.0.0', m))).toEqual({ topic: 't', event: 'phx_reply', payload: m.payload, ref: '2', join_ref: '1' });
  });

  it.each([[null, '1.0.0'], ['', '1.0.0'], ['1.0.0', '1.0.0'], ['2.0.0', '2.0.0'], ['3.0.0', undefined]] as const)('reads vsn %s as %s', (given, vsn) => {
    expect(parseVsn(given)).toBe(vsn);
  });
});
