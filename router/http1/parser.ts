/**
 * HTTP/1.1 message parsing (RFC 9112) with llhttp, the parser inside Node's http module, in the
 * WebAssembly build that undici (Node's own fetch) ships.
 *
 * Why llhttp: the framing rules are where request smuggling lives. llhttp with no lenient flags
 * is the parser Node's server trusts, so the proxy refuses exactly what Node refuses (conflicting
 * Content-Length and Transfer-Encoding, bad chunk sizes, control characters in fields). The
 * head-size cap Node adds around it (431 beyond 16 KiB) is kept here, counted the same way.
 *
 * Why the WebAssembly build and not Node's `_http_common` binding: each parser callback of the
 * binding is a C++-to-JavaScript call that costs more than all the proxy's own work on a small
 * request, and the binding copies every header into a string and every body piece into a new
 * buffer. Calls out of WebAssembly are cheap, and here the body arrives as a view of the input.
 * undici's file is a plain module (no `exports` map in its package) pinned by our lockfile;
 * the instance is sandboxed memory, so a bug in it cannot corrupt the process.
 */
import { createRequire } from 'node:module';

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
  /** Heads that came in one read: the fields as bytes (rawHeaders is then made on demand). */
  bytes?: HeadBytes;
}

/**
 * A head's fields as positions in the buffer it was read from, for a caller that copies them on
 * without making a string of each (headers.ts clientResponseHeadBytes, upstreamRequestHeadBytes).
 * Valid only during onHead: the buffer may be read into again afterwards. Four numbers per field:
 * name start, name end, value start, value end (-1 and -1 when llhttp reported no value; it
 * reports an empty one as an empty span placed after the line's CRLF). llhttp without lenient
 * flags has already refused folded lines, bare CR and bare LF, so each field is one line:
 * `name:`, optional whitespace, the value (trailing whitespace included), CRLF.
 */
export interface HeadBytes {
  buffer: Buffer;
  spans: number[];
}

export interface ParserEvents {
  /** The first byte of a message; optional, as most users need no clock of their own here. */
  onMessageBegin?(): void;
  /** Return true to tell the parser the message has no body (a response to HEAD). */
  onHead(head: MessageHead): boolean;
  /**
   * De-framed body bytes: a view of the buffer given to execute(), valid as long as that buffer
   * is. A caller that reuses its read buffer must copy what it keeps.
   */
  onBody(chunk: Buffer): void;
  onMessageComplete(): void;
}

/** Node's default cap on a message head (--max-http-header-size), answered with 431 beyond. */
export const MAX_HEAD_BYTES = 16 * 1024;

export type ParserKind = 'request' | 'response';

export interface ParseError extends Error {
  code: string;
  bytesParsed?: number;
}

export function isParseError(result: number | ParseError | undefined): result is ParseError {
  return result instanceof Error;
}

interface LlhttpExports {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  llhttp_alloc(type: number): number;
  llhttp_free(parser: number): void;
  llhttp_execute(parser: number, data: number, length: number): number;
  llhttp_finish(parser: number): number;
  llhttp_resume_after_upgrade(parser: number): void;
  llhttp_get_error_pos(parser: number): number;
  llhttp_get_error_reason(parser: number): number;
  llhttp_errno_name(errno: number): number;
  llhttp_get_method(parser: number): number;
  llhttp_method_name(method: number): number;
  llhttp_get_http_major(parser: number): number;
  llhttp_get_http_minor(parser: number): number;
}

// llhttp's numbers (llhttp.h): parser types and the errors this module handles itself.
const TYPE_REQUEST = 1;
const TYPE_RESPONSE = 2;
const HPE_OK = 0;
const HPE_USER = 24;
const HPE_PAUSED_UPGRADE = 22;
/** Bytes copied into the instance's memory per llhttp_execute call. */
const CHUNK_BYTES = 64 * 1024;

/** The parser that is executing, and where its input sits in the instance's memory. */
let current: Http1Parser | undefined;
let input: Buffer = Buffer.alloc(0);
let inputBase = 0;
let inputAddress = 0;

const wasm = instantiate();
let heap = new Uint8Array(wasm.memory.buffer);
// Nested execute() calls (a callback that parses on another connection) each get their own area.
const inputAreas: number[] = [];
let depth = 0;
const methodNames: string[] = [];

function instantiate(): LlhttpExports {
  const require = createRequire(import.meta.url);
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(require('undici/lib/llhttp/llhttp_simd-wasm.js') as Uint8Array<ArrayBuffer>);
  } catch {
    // A CPU without 128-bit SIMD.
    module = new WebAssembly.Module(require('undici/lib/llhttp/llhttp-wasm.js') as Uint8Array<ArrayBuffer>);
  }
  // Each callback gets the parser's address; spans are addresses in the instance's memory, which
  // map back to the JavaScript input at the same offset (see execute).
  const span = (handle: (p: Http1Parser, start: number, end: number) => number) =>
    (_parser: number, at: number, length: number): number => {
      const start = at - inputAddress + inputBase;
      return handle(current!, start, start + length);
    };
  const instance = new WebAssembly.Instance(module, {
    env: {
      wasm_on_message_begin: () => current!.onMessageBegin(),
      wasm_on_url: span((p, start, end) => p.onUrl(start, end)),
      wasm_on_status: span((p, start, end) => p.onStatus(start, end)),
      wasm_on_header_field: span((p, start, end) => p.onHeaderField(start, end)),
      wasm_on_header_value: span((p, start, end) => p.onHeaderValue(start, end)),
      wasm_on_headers_complete: (_parser: number, statusCode: number, upgrade: number, keepAlive: number) =>
        current!.onHeadersComplete(statusCode, upgrade === 1, keepAlive === 1),
      wasm_on_body: span((p, start, end) => p.onBodySpan(start, end)),
      wasm_on_message_complete: () => current!.onMessageComplete(),
    },
  });
  return instance.exports as unknown as LlhttpExports;
}

function cString(address: number): string {
  if (heap.byteLength === 0) heap = new Uint8Array(wasm.memory.buffer);
  let end = address;
  while (heap[end] !== 0) end++;
  return Buffer.from(heap.buffer, address, end - address).toString('latin1');
}

function methodName(method: number): string {
  return (methodNames[method] ??= cString(wasm.llhttp_method_name(method)));
}

/** One parser per connection; it reads message after message on that connection. */
export class Http1Parser {
  private pointer: number;
  private readonly kind: ParserKind;
  private readonly events: ParserEvents;
  private headers: string[] = [];
  private url = '';
  private statusMessage = '';
  /** Whether the last span was a field value, so a new name starts a new field. */
  private inValue = false;
  private headBytes = 0;
  private headOverflow = false;
  /**
   * Heads are recorded as positions (spans) rather than strings while they stay within one
   * execute() call; a head that goes on in the next read is turned into strings first.
   */
  private spans: number[] | undefined;
  private inHead = false;

  constructor(kind: ParserKind, events: ParserEvents) {
    this.kind = kind;
    this.events = events;
    this.pointer = wasm.llhttp_alloc(kind === 'request' ? TYPE_REQUEST : TYPE_RESPONSE);
  }

  /**
   * Parses bytes; returns how many were consumed (fewer than given after an upgrade head: the
   * rest belongs to the upgraded protocol) or the parse error, whose `code` is llhttp's
   * (HPE_HEADER_OVERFLOW, HPE_UNEXPECTED_CONTENT_LENGTH, ...).
   */
  execute(data: Buffer): number | ParseError {
    if (this.pointer === 0) return parseError('HPE_CLOSED_CONNECTION', 'parser closed', 0);
    const [savedCurrent, savedInput, savedBase, savedAddress] = [current, input, inputBase, inputAddress];
    const area = (inputAreas[depth] ??= wasm.malloc(CHUNK_BYTES));
    depth++;
    current = this;
    input = data;
    inputAddress = area;
    try {
      for (let offset = 0; offset < data.length; offset += CHUNK_BYTES) {
        const length = Math.min(CHUNK_BYTES, data.length - offset);
        if (heap.byteLength === 0) heap = new Uint8Array(wasm.memory.buffer); // the memory grew
        heap.set(length === data.length ? data : data.subarray(offset, offset + length), area);
        inputBase = offset;
        const errno = wasm.llhttp_execute(this.pointer, area, length);
        if (errno === HPE_OK) continue;
        const consumed = offset + wasm.llhttp_get_error_pos(this.pointer) - area;
        if (errno === HPE_PAUSED_UPGRADE) {
          wasm.llhttp_resume_after_upgrade(this.pointer);
          return consumed;
        }
        return this.error(errno, consumed);
      }
      return data.length;
    } finally {
      // The next read may overwrite this buffer: a head still arriving keeps strings, not positions.
      if (this.spans !== undefined && this.inHead) this.spansToStrings();
      depth--;
      current = savedCurrent;
      input = savedInput;
      inputBase = savedBase;
      inputAddress = savedAddress;
    }
  }

  /** The peer closed: completes a message whose end is the end of the connection. */
  finish(): ParseError | undefined {
    if (this.pointer === 0) return undefined;
    const saved = current;
    current = this;
    try {
      const errno = wasm.llhttp_finish(this.pointer);
      return errno === HPE_OK ? undefined : this.error(errno, 0);
    } finally {
      current = saved;
    }
  }

  close(): void {
    if (this.pointer === 0) return;
    wasm.llhttp_free(this.pointer);
    this.pointer = 0;
  }

  get versionMajor(): number {
    return wasm.llhttp_get_http_major(this.pointer);
  }

  get versionMinor(): number {
    return wasm.llhttp_get_http_minor(this.pointer);
  }

  get status(): string {
    return this.statusMessage;
  }

  get target(): string {
    return this.url;
  }

  private error(errno: number, bytesParsed: number): ParseError {
    if (errno === HPE_USER && this.headOverflow) return parseError('HPE_HEADER_OVERFLOW', 'Header overflow', bytesParsed);
    return parseError(cString(wasm.llhttp_errno_name(errno)), cString(wasm.llhttp_get_error_reason(this.pointer)), bytesParsed);
  }

  // The callbacks below run inside llhttp_execute; a non-zero return stops the parser.

  onMessageBegin(): number {
    this.headOverflow = false;
    this.headers = [];
    this.url = '';
    this.statusMessage = '';
    this.inValue = false;
    this.headBytes = 0;
    this.inHead = true;
    this.spans = [];
    this.events.onMessageBegin?.();
    return 0;
  }

  /** Counts head bytes as Node does (URL, status text, names, values) and stops at the cap. */
  private track(start: number, end: number): boolean {
    this.headBytes += end - start;
    if (this.headBytes < MAX_HEAD_BYTES) return true;
    this.headOverflow = true;
    return false;
  }

  onUrl(start: number, end: number): number {
    if (!this.track(start, end)) return HPE_USER;
    this.url += input.toString('latin1', start, end);
    return 0;
  }

  onStatus(start: number, end: number): number {
    if (!this.track(start, end)) return HPE_USER;
    this.statusMessage += input.toString('latin1', start, end);
    return 0;
  }

  // A name or value split across two reads arrives as two spans; they are joined.
  onHeaderField(start: number, end: number): number {
    if (!this.track(start, end)) return HPE_USER;
    const spans = this.spans;
    if (spans !== undefined) {
      if (this.inValue || spans.length === 0) spans.push(start, end, -1, -1);
      else spans[spans.length - 3] = end;
      this.inValue = false;
      return 0;
    }
    const piece = input.toString('latin1', start, end);
    if (this.inValue || this.headers.length === 0) {
      this.headers.push(piece, '');
      this.inValue = false;
    } else this.headers[this.headers.length - 2] += piece;
    return 0;
  }

  onHeaderValue(start: number, end: number): number {
    if (!this.track(start, end)) return HPE_USER;
    const spans = this.spans;
    if (spans !== undefined) {
      if (spans[spans.length - 2] === -1) spans[spans.length - 2] = start;
      spans[spans.length - 1] = end;
      this.inValue = true;
      return 0;
    }
    this.headers[this.headers.length - 1] += input.toString('latin1', start, end);
    this.inValue = true;
    return 0;
  }

  /** The recorded positions of a head in progress become strings, while the buffer still holds them. */
  private spansToStrings(): void {
    const spans = this.spans!;
    this.spans = undefined;
    this.headers = fieldStrings({ buffer: input, spans });
  }

  onHeadersComplete(statusCode: number, upgrade: boolean, keepAlive: boolean): number {
    this.headBytes = 0;
    this.inHead = false;
    const spans = this.spans;
    this.spans = undefined;
    const headers = this.headers;
    // Trailer fields of a chunked body come after this; they are read and not forwarded.
    this.headers = [];
    this.inValue = false;
    const request = this.kind === 'request';
    if (spans !== undefined) {
      const method = request ? methodName(wasm.llhttp_get_method(this.pointer)) : '';
      return this.events.onHead(new SpanHead(this, method, request ? 0 : statusCode, upgrade, keepAlive, { buffer: input, spans })) ? 1 : 0;
    }
    const head: MessageHead = {
      versionMajor: wasm.llhttp_get_http_major(this.pointer),
      versionMinor: wasm.llhttp_get_http_minor(this.pointer),
      rawHeaders: headers,
      method: request ? methodName(wasm.llhttp_get_method(this.pointer)) : '',
      url: this.url,
      statusCode: request ? 0 : statusCode,
      statusMessage: this.statusMessage,
      upgrade,
      keepAlive,
    };
    return this.events.onHead(head) ? 1 : 0;
  }

  onBodySpan(start: number, end: number): number {
    if (end > start) this.events.onBody(input.subarray(start, end));
    return 0;
  }

  onMessageComplete(): number {
    this.events.onMessageComplete();
    return 0;
  }
}

/**
 * V8 compiles llhttp's one large state-machine function with its optimizing tier in the
 * background after the first call, which briefly takes about 35 MB. Parsing one message of each
 * kind when this module loads moves that to startup instead of the first request under load.
 */
function warmUp(): void {
  const events: ParserEvents = { onHead: () => false, onBody: () => undefined, onMessageComplete: () => undefined };
  for (const [kind, message] of [['request', 'GET / HTTP/1.1\r\nHost: a\r\n\r\n'], ['response', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na']] as const) {
    const parser = new Http1Parser(kind, events);
    parser.execute(Buffer.from(message, 'latin1'));
    parser.close();
  }
}


/** Field names and values as strings, alternating, from their positions. */
function fieldStrings(bytes: HeadBytes): string[] {
  const { buffer, spans } = bytes;
  const out: string[] = [];
  for (let i = 0; i < spans.length; i += 4) {
    out.push(buffer.toString('latin1', spans[i]!, spans[i + 1]!), spans[i + 2] === -1 ? '' : buffer.toString('latin1', spans[i + 2]!, spans[i + 3]!));
  }
  return out;
}

/** A head read in one piece: its fields are strings only if someone asks, during onHead. */
class SpanHead implements MessageHead {
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly url: string;
  readonly statusMessage: string;
  private strings: string[] | undefined;

  constructor(
    parser: Http1Parser, readonly method: string, readonly statusCode: number, readonly upgrade: boolean,
    readonly keepAlive: boolean, readonly bytes: HeadBytes,
  ) {
    this.versionMajor = parser.versionMajor;
    this.versionMinor = parser.versionMinor;
    this.url = parser.target;
    this.statusMessage = parser.status;
  }

  get rawHeaders(): string[] {
    return (this.strings ??= fieldStrings(this.bytes));
  }
}

function parseError(code: string, reason: string, bytesParsed: number): ParseError {
  const err = new Error(`Parse Error: ${reason}`) as ParseError;
  err.code = code;
  err.bytesParsed = bytesParsed;
  return err;
}

warmUp();
