/**
 * HTTP/1.1 message parsing (RFC 9112) with llhttp, the parser inside Node's own http module,
 * reached through `_http_common`'s HTTPParser binding.
 *
 * Why not node:http: the proxy needs only each message's head and its de-framed body bytes.
 * Node's server and client wrap every message in IncomingMessage, ServerResponse and
 * ClientRequest streams, which cost about two thirds of the proxy's time per request (measured
 * in docs/benchmarks.md, "Router"). Why not a parser of our own or http-parser-js: the framing
 * rules are where request smuggling lives; llhttp in strict mode is the parser Node's server
 * trusts, so the proxy refuses exactly what Node refuses (conflicting Content-Length and
 * Transfer-Encoding, bad chunk sizes, control characters in fields, oversized heads).
 *
 * The binding is undocumented but stable since Node 12: the callbacks below are the ones
 * node/lib/_http_common.js installs. This module is the only place that touches it.
 */
import { createRequire } from 'node:module';

interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenientFlags: number): void;
  execute(data: Buffer): number | Error;
  finish(): undefined | Error;
  close(): void;
  [key: number]: unknown;
}

interface HttpCommon {
  HTTPParser: {
    new (): NativeParser;
    REQUEST: number;
    RESPONSE: number;
    kOnMessageBegin: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
    kOnExecute: number;
    kOnTimeout: number;
    kLenientNone: number;
  };
  methods: string[];
}

const { HTTPParser, methods } = createRequire(import.meta.url)('_http_common') as HttpCommon;

/** A parsed request line or status line with its header fields, as sent (names not lowercased). */
export interface MessageHead {
  versionMajor: number;
  versionMinor: number;
  /** Field names and values alternating, in order, duplicates kept. */
  rawHeaders: string[];
  /** Requests only. */
  method: string;
  url: string;
  /** Responses only. */
  statusCode: number;
  statusMessage: string;
  /** Connection: upgrade with Upgrade (or CONNECT): the bytes after the head are not HTTP. */
  upgrade: boolean;
  /** Whether the connection may carry another message after this one. */
  keepAlive: boolean;
}

export interface ParserEvents {
  onMessageBegin(): void;
  /** Return true to tell the parser the message has no body (a response to HEAD). */
  onHead(head: MessageHead): boolean;
  onBody(chunk: Buffer): void;
  onMessageComplete(): void;
}

/** Node's default cap on a message head (--max-http-header-size), answered with 431 beyond. */
export const MAX_HEAD_BYTES = 16 * 1024;

export type ParserKind = 'request' | 'response';

/** One parser per connection; it reads message after message on that connection. */
export class Http1Parser {
  private readonly native: NativeParser;
  // Heads with many fields arrive in pieces (kOnHeaders) before kOnHeadersComplete.
  private pendingHeaders: string[] = [];
  private pendingUrl = '';

  constructor(kind: ParserKind, events: ParserEvents) {
    const native = new HTTPParser();
    native.initialize(kind === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE, {}, MAX_HEAD_BYTES, HTTPParser.kLenientNone);
    native[HTTPParser.kOnMessageBegin] = () => events.onMessageBegin();
    native[HTTPParser.kOnHeaders] = (headers: string[], url: string) => {
      for (const field of headers) this.pendingHeaders.push(field);
      this.pendingUrl += url;
    };
    native[HTTPParser.kOnHeadersComplete] = (
      versionMajor: number, versionMinor: number, headers: string[] | undefined, method: number | undefined,
      url: string | undefined, statusCode: number | undefined, statusMessage: string | undefined, upgrade: boolean, keepAlive: boolean,
    ): number => {
      const rawHeaders = headers ?? this.takePendingHeaders();
      const fullUrl = url ?? this.pendingUrl;
      this.pendingUrl = '';
      const head: MessageHead = {
        versionMajor, versionMinor, rawHeaders, method: method === undefined ? '' : (methods[method] ?? ''), url: fullUrl,
        statusCode: statusCode ?? 0, statusMessage: statusMessage ?? '', upgrade, keepAlive,
      };
      return events.onHead(head) ? 1 : 0;
    };
    native[HTTPParser.kOnBody] = (chunk: Buffer) => events.onBody(chunk);
    native[HTTPParser.kOnMessageComplete] = () => events.onMessageComplete();
    native[HTTPParser.kOnExecute] = () => undefined;
    native[HTTPParser.kOnTimeout] = () => undefined;
    this.native = native;
  }

  private takePendingHeaders(): string[] {
    const headers = this.pendingHeaders;
    this.pendingHeaders = [];
    return headers;
  }

  /**
   * Parses bytes; returns how many were consumed (fewer than given after an upgrade head: the
   * rest belongs to the upgraded protocol) or the parse error, whose `code` is llhttp's
   * (HPE_HEADER_OVERFLOW, HPE_UNEXPECTED_CONTENT_LENGTH, ...).
   */
  execute(data: Buffer): number | ParseError {
    return this.native.execute(data) as number | ParseError;
  }

  /** The peer closed: completes a message whose end is the end of the connection. */
  finish(): ParseError | undefined {
    return this.native.finish() as ParseError | undefined;
  }

  close(): void {
    this.native.close();
  }
}

export interface ParseError extends Error {
  code: string;
  bytesParsed?: number;
}

export function isParseError(result: number | ParseError | undefined): result is ParseError {
  return result instanceof Error;
}
