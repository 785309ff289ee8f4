/**
 * Header rules of the embedded proxy (RFC 9110 §7.6.1 hop-by-hop fields; the de-facto
 * X-Forwarded-* fields), on raw field lists as the parser gives them (name, value, name, ...).
 * Pure functions that return the serialized heads, so the rules are tested without sockets.
 * Field names and values were validated by the parser (no CR, LF or NUL can reach here). The
 * parser gives each byte as one character (latin1), so heads must be written back as latin1:
 * a UTF-8 byte in a field then leaves exactly as it came.
 */
import { randomUUID } from 'node:crypto';
import type { HeadBytes } from './http1/parser.js';

/** Fields that describe one connection, not the message: a proxy must not forward them. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Fields the proxy sets itself on the way to the app; a client's own values are replaced. */
const SET_BY_PROXY = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-request-id']);
/** With tracing on, the caller's traceparent is replaced by one naming the router's span (tracestate passes as it is). */
const SET_BY_TRACING_PROXY = new Set([...SET_BY_PROXY, 'traceparent']);
const HOP_BY_HOP_MASK = lengthMask(HOP_BY_HOP);
const SET_BY_PROXY_MASK = lengthMask(SET_BY_PROXY);
const SET_BY_TRACING_PROXY_MASK = lengthMask(SET_BY_TRACING_PROXY);

/** What the proxy needs to know of a request head, read in one pass over its fields. */
export interface RequestFields {
  host: string | undefined;
  hostCount: number;
  requestId: string | undefined;
  forwardedFor: string | undefined;
  accept: string | undefined;
  upgrade: string | undefined;
  contentLength: string | undefined;
  chunked: boolean;
  /** W3C Trace Context: the caller's trace, which the router's span continues. */
  traceparent: string | undefined;
  /** Lowercased field names the Connection header lists: hop-by-hop for this message. */
  connectionNamed: string[];
}

function connectionTokens(value: string): string[] {
  const lower = value.toLowerCase();
  if (lower === 'keep-alive' || lower === 'close') return [lower]; // nearly every message
  return lower.split(',').map((token) => token.trim()).filter((token) => token !== '');
}

/**
 * Names are compared lowercased, but lowercasing every field of every message costs more than
 * the rest of the header work. A bit per name length (lengths of 31 and more share one) tells
 * which names could match at all; only those are lowercased.
 */
function lengthBit(name: string): number {
  return lengthBitOf(name.length);
}

function lengthBitOf(length: number): number {
  return length < 31 ? 1 << length : 1 << 31;
}

function lengthMask(names: Iterable<string>): number {
  let mask = 0;
  for (const name of names) mask |= lengthBit(name);
  return mask;
}

/**
 * The request fields readRequestFields looks at, by length (no two share one): a field whose
 * name has another length is not even lowercased.
 */
const READ_NAMES = ['host', 'x-request-id', 'x-forwarded-for', 'accept', 'upgrade', 'content-length', 'transfer-encoding', 'connection', 'traceparent'];
const READ_BY_LENGTH: Array<string | undefined> = [];
for (const name of READ_NAMES) READ_BY_LENGTH[name.length] = name;

function noRequestFields(): RequestFields {
  return {
    host: undefined, hostCount: 0, requestId: undefined, forwardedFor: undefined, accept: undefined,
    upgrade: undefined, contentLength: undefined, chunked: false, traceparent: undefined, connectionNamed: [],
  };
}

/** One field into `fields`; `name` is lowercased. */
function readField(fields: RequestFields, name: string, value: string): void {
  switch (name) {
    case 'host': fields.hostCount++; fields.host ??= value; break;
    case 'x-request-id': fields.requestId ??= value; break;
    case 'x-forwarded-for': fields.forwardedFor = fields.forwardedFor === undefined ? value : `${fields.forwardedFor}, ${value}`; break;
    case 'accept': fields.accept ??= value; break;
    case 'upgrade': fields.upgrade ??= value; break;
    case 'content-length': fields.contentLength = value; break;
    case 'transfer-encoding': fields.chunked = /chunked/i.test(value); break;
    case 'connection': fields.connectionNamed.push(...connectionTokens(value)); break;
    case 'traceparent': fields.traceparent ??= value; break;
  }
}

export function readRequestFields(raw: string[]): RequestFields {
  const fields = noRequestFields();
  for (let i = 0; i < raw.length; i += 2) {
    const name = READ_BY_LENGTH[raw[i]!.length];
    if (name !== undefined && raw[i]!.toLowerCase() === name) readField(fields, name, raw[i + 1]!);
  }
  return fields;
}

/** readRequestFields for a head given as positions in its read buffer (http1/parser.ts HeadBytes). */
export function readRequestFieldsBytes(bytes: HeadBytes): RequestFields {
  const { buffer, spans } = bytes;
  const fields = noRequestFields();
  for (let i = 0; i < spans.length; i += 4) {
    const start = spans[i]!;
    const end = spans[i + 1]!;
    const name = READ_BY_LENGTH[end - start];
    if (name === undefined || !nameIs(buffer, start, end, name)) continue;
    readField(fields, name, spans[i + 2] === -1 ? '' : buffer.toString('latin1', spans[i + 2]!, spans[i + 3]!));
  }
  return fields;
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:@+=\/-]{1,128}$/;

/** Keeps a caller's request id when it is short and printable, so traces join up; else makes one. */
export function chooseRequestId(incoming: string | undefined): string {
  return incoming !== undefined && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** `::ffff:127.0.0.1` is how Node reports IPv4 clients on a dual-stack socket. */
export function clientAddress(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return 'unknown';
  return remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
}

export interface ForwardContext {
  clientIp: string;
  proto: 'http' | 'https';
  requestId: string;
  /**
   * Set when the router traces the request: the ids of the traceparent the app gets, replacing
   * the caller's (the exchange itself, tracing/tracer.ts TraceState: no object is made for it).
   */
  trace?: { readonly traceId: string; readonly spanId: string; readonly sampled: boolean };
}

/** End-to-end fields of a message as `Name: value\r\n` lines, minus those in `skip`. */
function endToEndLines(raw: string[], connectionNamed: string[], skip: Set<string>, skipMask: number): string {
  const mask = HOP_BY_HOP_MASK | skipMask | lengthMask(connectionNamed);
  let lines = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if ((mask & lengthBit(name)) !== 0) {
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower) || skip.has(lower) || connectionNamed.includes(lower)) continue;
    }
    lines += `${name}: ${raw[i + 1]!}\r\n`;
  }
  return lines;
}

export interface RequestLine {
  method: string;
  url: string;
  rawHeaders: string[];
}

/**
 * The head an upstream sees: the client's end-to-end fields, the original Host (apps build
 * absolute URLs from it, as with Traefik's passHostHeader), the client appended to
 * X-Forwarded-For, X-Forwarded-Proto/Host and X-Request-Id set by this proxy, which is the edge.
 * A body keeps its framing: its Content-Length, or chunked (the proxy re-chunks what it relays).
 * `upgrade` keeps the Upgrade pair for a WebSocket handshake.
 */
export function upstreamRequestHead(line: RequestLine, fields: RequestFields, ctx: ForwardContext, upgrade = false): string {
  const kept = ctx.trace === undefined
    ? endToEndLines(line.rawHeaders, fields.connectionNamed, SET_BY_PROXY, SET_BY_PROXY_MASK)
    : endToEndLines(line.rawHeaders, fields.connectionNamed, SET_BY_TRACING_PROXY, SET_BY_TRACING_PROXY_MASK);
  return `${requestLine(line)}${kept}${requestTail(fields, ctx, upgrade)}`;
}

function requestLine(line: Pick<RequestLine, 'method' | 'url'>): string {
  return `${line.method} ${line.url} HTTP/1.1\r\n`;
}

/** The fields the proxy sets on every request head, and the blank line that ends it. */
function requestTail(fields: RequestFields, ctx: ForwardContext, upgrade: boolean): string {
  let tail = `X-Forwarded-For: ${fields.forwardedFor === undefined ? ctx.clientIp : `${fields.forwardedFor}, ${ctx.clientIp}`}\r\n`;
  tail += `X-Forwarded-Proto: ${ctx.proto}\r\n`;
  if (fields.host !== undefined) tail += `X-Forwarded-Host: ${fields.host}\r\n`;
  tail += `X-Request-Id: ${ctx.requestId}\r\n`;
  // W3C Trace Context's traceparent, version 00, written straight into the head (no string of its own).
  const trace = ctx.trace;
  if (trace !== undefined) tail += `traceparent: 00-${trace.traceId}-${trace.spanId}-${trace.sampled ? '01' : '00'}\r\n`;
  if (upgrade) return `${tail}Connection: Upgrade\r\nUpgrade: ${fields.upgrade ?? 'websocket'}\r\n\r\n`;
  if (fields.chunked) tail += 'Transfer-Encoding: chunked\r\n';
  return `${tail}\r\n`;
}

/**
 * upstreamRequestHead (not for upgrades) for a head given as positions in its read buffer: the
 * lines the app gets are taken as they came, as clientResponseHeadBytes does for responses.
 */
export function upstreamRequestHeadBytes(line: Pick<RequestLine, 'method' | 'url'>, bytes: HeadBytes, fields: RequestFields, ctx: ForwardContext): string {
  const drop = ctx.trace === undefined ? REQUEST_DROPPED : REQUEST_DROPPED_TRACED;
  return joinHead(requestLine(line), bytes, drop, fields.connectionNamed, requestTail(fields, ctx, false));
}

/** How the client learns where a relayed response body ends. */
export type BodyFraming = 'none' | 'length' | 'chunked' | 'close';

export interface ResponseLine {
  statusCode: number;
  statusMessage: string;
  rawHeaders: string[];
}

/**
 * The head the client sees: the upstream's end-to-end fields and the request id, with the
 * framing the proxy relays the body in and whether the client connection stays open.
 */
export function clientResponseHead(line: ResponseLine, requestId: string, framing: BodyFraming, client: ClientPersistence): string {
  const named: string[] = [];
  for (let i = 0; i < line.rawHeaders.length; i += 2) {
    const name = line.rawHeaders[i]!;
    if (name.length === 10 && name.toLowerCase() === 'connection') named.push(...connectionTokens(line.rawHeaders[i + 1]!));
  }
  const fields = endToEndLines(line.rawHeaders, named, REQUEST_ID, REQUEST_ID_MASK);
  return `${statusLine(line)}${fields}${responseTail(requestId, framing, client)}`;
}

function statusLine(line: Pick<ResponseLine, 'statusCode' | 'statusMessage'>): string {
  return `HTTP/1.1 ${line.statusCode} ${line.statusMessage}\r\n`;
}

/** The fields the proxy adds to every response head, and the blank line that ends it. */
function responseTail(requestId: string, framing: BodyFraming, client: ClientPersistence): string {
  let tail = `X-Request-Id: ${requestId}\r\n`;
  if (framing === 'chunked') tail += 'Transfer-Encoding: chunked\r\n';
  if (framing === 'close' || client === 'close') tail += 'Connection: close\r\n';
  else if (client === 'keep-alive-1.0') tail += 'Connection: keep-alive\r\n';
  return `${tail}\r\n`;
}

/** ASCII case-insensitive: the field name at [start, end) of `buffer` is `lower`. */
function nameIs(buffer: Buffer, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let byte = buffer[start + i]!;
    if (byte >= 0x41 && byte <= 0x5a) byte += 0x20;
    if (byte !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** What the proxy must know of a response head before relaying it: its framing and Connection list. */
export interface ResponseFacts {
  contentLength: boolean;
  connectionNamed: string[];
}

export function responseFacts(bytes: HeadBytes): ResponseFacts {
  const { buffer, spans } = bytes;
  const facts: ResponseFacts = { contentLength: false, connectionNamed: [] };
  for (let i = 0; i < spans.length; i += 4) {
    const start = spans[i]!;
    const end = spans[i + 1]!;
    if (nameIs(buffer, start, end, 'content-length')) facts.contentLength = true;
    else if (nameIs(buffer, start, end, 'connection') && spans[i + 2] !== -1) {
      facts.connectionNamed.push(...connectionTokens(buffer.toString('latin1', spans[i + 2]!, spans[i + 3]!)));
    }
  }
  return facts;
}

/** Field names a head loses on the way, and the lengths they have (see lengthBit). */
interface DropRule {
  names: string[];
  mask: number;
}

function dropRule(names: string[]): DropRule {
  return { names, mask: lengthMask(names) };
}

function dropped(buffer: Buffer, start: number, end: number, rule: DropRule, connectionNamed: string[], mask: number): boolean {
  if ((mask & lengthBitOf(end - start)) === 0) return false;
  for (const name of rule.names) if (nameIs(buffer, start, end, name)) return true;
  for (const name of connectionNamed) if (nameIs(buffer, start, end, name)) return true;
  return false;
}

const RESPONSE_DROPPED = dropRule([...HOP_BY_HOP, 'x-request-id']);
const REQUEST_DROPPED = dropRule([...HOP_BY_HOP, ...SET_BY_PROXY]);
const REQUEST_DROPPED_TRACED = dropRule([...HOP_BY_HOP, ...SET_BY_TRACING_PROXY]);

/**
 * clientResponseHead for a head given as positions in its read buffer (http1/parser.ts
 * HeadBytes): the lines the client keeps are taken as they came, a run of them at a time,
 * instead of a string per name and per value joined again. The result is the same head, but for
 * whitespace around values, which is passed on as the app sent it.
 */
export function clientResponseHeadBytes(
  line: Pick<ResponseLine, 'statusCode' | 'statusMessage'>, bytes: HeadBytes, facts: ResponseFacts,
  requestId: string, framing: BodyFraming, client: ClientPersistence,
): string {
  return joinHead(statusLine(line), bytes, RESPONSE_DROPPED, facts.connectionNamed, responseTail(requestId, framing, client));
}

/**
 * A head made of its first line, the field lines of `bytes` not dropped, and the tail. A string
 * (one byte per character, written as latin1), not a Buffer filled in pieces: with the few runs
 * most heads have, that costs less (measured: docs/benchmarks.md, session 5).
 */
function joinHead(first: string, bytes: HeadBytes, drop: DropRule, connectionNamed: string[], tail: string): string {
  const { buffer, spans } = bytes;
  const mask = drop.mask | lengthMask(connectionNamed);
  let head = first;
  let runStart = -1;
  let runEnd = -1;
  for (let i = 0; i < spans.length; i += 4) {
    if (dropped(buffer, spans[i]!, spans[i + 1]!, drop, connectionNamed, mask)) continue;
    const start = spans[i]!;
    // A field's line ends where the next one starts; the last one at its CRLF, which follows a
    // value directly (its trailing whitespace is in the value). An empty value's position is
    // after the CRLF, not before: that line's end is the first LF after its name.
    const end = i + 4 < spans.length ? spans[i + 4]!
      : spans[i + 3]! > spans[i + 2]! ? spans[i + 3]! + 2
      : buffer.indexOf(0x0a, spans[i + 1]!) + 1;
    // Adjacent kept lines are taken as one run.
    if (start === runEnd) runEnd = end;
    else {
      if (runStart >= 0) head += buffer.toString('latin1', runStart, runEnd);
      runStart = start;
      runEnd = end;
    }
  }
  if (runStart >= 0) head += buffer.toString('latin1', runStart, runEnd);
  return head + tail;
}

/** Whether the client connection stays open after this response; HTTP/1.0 must be told it does. */
export type ClientPersistence = 'close' | 'keep-alive' | 'keep-alive-1.0';

const REQUEST_ID = new Set(['x-request-id']);
const REQUEST_ID_MASK = lengthMask(REQUEST_ID);

/** Whether a response field list carries Content-Length (the body is relayed as is). */
export function hasContentLength(raw: string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 14 && raw[i]!.toLowerCase() === 'content-length') return true;
  return false;
}
