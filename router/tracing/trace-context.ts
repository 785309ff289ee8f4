/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/, level 1) as the router needs it: the
 * `traceparent` field read from a client, a new one written for the app, and random ids. Pure but
 * for the random bytes, which come from a pooled buffer so that a request costs no system call.
 *
 *   traceparent: 00-<trace-id: 32 hex>-<parent-id: 16 hex>-<flags: 2 hex>
 *
 * Ids are lowercase hex; all-zero ids and version ff are invalid. A later version may append
 * fields after the flags (a `-` then more), which a version-00 reader ignores (§3.2.4).
 */
import { randomFillSync } from 'node:crypto';

export interface TraceParent {
  traceId: string;
  /** The caller's span: the parent of the router's span. */
  parentId: string;
  sampled: boolean;
}

const HEX = /^[0-9a-f]+$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** The caller's trace context, or undefined when the field is absent or malformed (then a new trace starts). */
export function parseTraceparent(value: string | undefined): TraceParent | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text.length < 55) return undefined;
  const version = text.slice(0, 2);
  if (!HEX.test(version) || version === 'ff') return undefined;
  // Version 00 is exactly 55 characters; a later one may go on after a dash.
  if (version === '00' ? text.length !== 55 : text.length > 55 && text[55] !== '-') return undefined;
  if (text[2] !== '-' || text[35] !== '-' || text[52] !== '-') return undefined;
  const traceId = text.slice(3, 35);
  const parentId = text.slice(36, 52);
  const flags = text.slice(53, 55);
  if (!HEX.test(traceId) || !HEX.test(parentId) || !HEX.test(flags)) return undefined;
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return undefined;
  return { traceId, parentId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

/** Random ids from a buffer refilled 4 KiB at a time (one getrandom call per 140 requests or so). */
export class TraceIds {
  private readonly pool = Buffer.allocUnsafe(4096);
  private offset = this.pool.length;

  /** The offset of `bytes` fresh random bytes in the pool. */
  private take(bytes: number): number {
    if (this.offset + bytes > this.pool.length) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const at = this.offset;
    this.offset += bytes;
    return at;
  }

  private hex(bytes: number): string {
    const at = this.take(bytes);
    return this.pool.toString('hex', at, at + bytes);
  }

  traceId(): string {
    const id = this.hex(16);
    return id === ZERO_TRACE ? this.traceId() : id;
  }

  spanId(): string {
    const id = this.hex(8);
    return id === ZERO_SPAN ? this.spanId() : id;
  }

  /** A new trace id and span id into `ids`, from one hex conversion of 24 bytes. */
  newTrace(ids: { traceId: string; spanId: string }): void {
    const at = this.take(24);
    const both = this.pool.toString('hex', at, at + 24);
    ids.traceId = both.slice(0, 32);
    ids.spanId = both.slice(32);
    if (ids.traceId === ZERO_TRACE) ids.traceId = this.traceId();
    if (ids.spanId === ZERO_SPAN) ids.spanId = this.spanId();
  }

  /** A number in [0, 1) for sampling decisions. */
  fraction(): number {
    return this.pool.readUInt32BE(this.take(4)) / 0x1_0000_0000;
  }
}
