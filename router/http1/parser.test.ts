import { describe, expect, it } from 'vitest';
import { Http1Parser, isParseError, MAX_HEAD_BYTES, type MessageHead } from './parser.js';

interface Seen {
  heads: { rawHeaders: string[]; url: string; method: string; statusCode: number; hadBytes: boolean }[];
  body: string;
  complete: number;
}

function parse(kind: 'request' | 'response', pieces: Buffer[]): { seen: Seen; results: (number | string)[] } {
  const seen: Seen = { heads: [], body: '', complete: 0 };
  const parser = new Http1Parser(kind, {
    onHead: (head: MessageHead) => {
      seen.heads.push({ rawHeaders: [...head.rawHeaders], url: head.url, method: head.method, statusCode: head.statusCode, hadBytes: head.bytes !== undefined });
      return false;
    },
    onBody: (chunk) => (seen.body += chunk.toString('latin1')),
    onMessageComplete: () => seen.complete++,
  });
  const results = pieces.map((piece) => {
    const result = parser.execute(piece);
    return isParseError(result) ? result.code : result;
  });
  parser.close();
  return { seen, results };
}

/** The same bytes whole, in two pieces, and one byte at a time. */
function splits(message: string): [string, Buffer[]][] {
  const bytes = Buffer.from(message, 'latin1');
  const middle = Math.floor(bytes.length / 2);
  return [
    ['whole', [bytes]],
    ['halves', [bytes.subarray(0, middle), bytes.subarray(middle)]],
    ['bytes', [...bytes].map((b) => Buffer.from([b]))],
  ];
}

const RESPONSE = 'HTTP/1.1 200 OK\r\nServer: app\r\nX-Empty:\r\nX-Long: ' + 'v'.repeat(40) + '\r\nContent-Length: 5\r\n\r\nhello';

describe('Http1Parser', () => {
  it.each(splits(RESPONSE))('reads a response given %s', (how, pieces) => {
    const { seen } = parse('response', pieces);
    expect(seen.heads).toHaveLength(1);
    expect(seen.heads[0]!.rawHeaders).toEqual(['Server', 'app', 'X-Empty', '', 'X-Long', 'v'.repeat(40), 'Content-Length', '5']);
    expect(seen.heads[0]!.statusCode).toBe(200);
    // Positions are offered only when the head came in one read (the buffer is still there).
    expect(seen.heads[0]!.hadBytes).toBe(how === 'whole');
    expect(seen.body).toBe('hello');
    expect(seen.complete).toBe(1);
  });

  it.each(splits('POST /a?b=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nTrailer-A: 1\r\n\r\nGET /next HTTP/1.1\r\nHost: y\r\n\r\n'))(
    'reads pipelined requests with a chunked body and trailers given %s', (_how, pieces) => {
      const { seen } = parse('request', pieces);
      expect(seen.heads.map((h) => [h.method, h.url, h.rawHeaders])).toEqual([
        ['POST', '/a?b=1', ['Host', 'x', 'Transfer-Encoding', 'chunked']],
        ['GET', '/next', ['Host', 'y']],
      ]);
      expect(seen.body).toBe('abc');
      expect(seen.complete).toBe(2);
    });

  it.each([
    ['conflicting framing', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', 'HPE_INVALID_TRANSFER_ENCODING'],
    ['a folded line', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['a bare CR', 'GET / HTTP/1.1\r\nHost: x\rY\r\n\r\n', 'HPE_LF_EXPECTED'],
    ['a head over the cap', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(MAX_HEAD_BYTES)}\r\n\r\n`, 'HPE_HEADER_OVERFLOW'],
  ])('refuses %s', (_what, message, code) => {
    const { results } = parse('request', [Buffer.from(message, 'latin1')]);
    expect(results).toEqual([code]);
  });

  it('stops after an upgrade head and says how many bytes were HTTP', () => {
    const head = 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
    const { results, seen } = parse('request', [Buffer.from(`${head}\x81\x05hello`, 'latin1')]);
    expect(results).toEqual([head.length]);
    expect(seen.heads).toHaveLength(1);
  });
});
