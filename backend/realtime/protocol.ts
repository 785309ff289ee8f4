/**
 * The Phoenix channel wire format as @supabase/realtime-js speaks it (its lib/serializer.ts and
 * Phoenix's JS client, the `vsn` query parameter picks the version):
 *
 * - 1.0.0: text frames, each a JSON object `{topic, event, payload, ref, join_ref}`.
 * - 2.0.0: text frames, each a JSON array `[join_ref, ref, topic, event, payload]`, plus binary
 *   frames for user broadcasts. A client pushes kind 3 ("user broadcast push"):
 *   `[3, joinRefLen, refLen, topicLen, eventLen, metaLen, encoding]` then those strings and the
 *   payload; the server sends kind 4 ("user broadcast"): `[4, topicLen, eventLen, metaLen,
 *   encoding]` then topic, event, metadata and payload. Encoding 0 is raw bytes, 1 is JSON.
 *
 * Pure: frames in, messages out, and back. Anything malformed is a ProtocolError whose message
 * says what was wrong; the socket answers it without closing.
 */

export type Vsn = '1.0.0' | '2.0.0';
export const VSNS: readonly Vsn[] = ['1.0.0', '2.0.0'];

export interface PhoenixMessage {
  join_ref: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

/** A user broadcast: a JSON payload, or raw bytes (2.0.0 binary frames and the HTTP octet-stream form). */
export interface UserBroadcast {
  event: string;
  payload: unknown;
  binary?: Buffer;
}

export class ProtocolError extends Error {
  constructor(message: string, readonly ref: string | null = null, readonly topic: string | null = null) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const KIND_USER_BROADCAST_PUSH = 3;
const KIND_USER_BROADCAST = 4;
const ENCODING_BINARY = 0;
const ENCODING_JSON = 1;

function asRef(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new ProtocolError('ref and join_ref must be strings');
}

function checked(join_ref: unknown, ref: unknown, topic: unknown, event: unknown, payload: unknown): PhoenixMessage {
  const refs = { join_ref: asRef(join_ref), ref: asRef(ref) };
  if (typeof topic !== 'string' || topic === '') throw new ProtocolError('a message needs a topic (a string)', refs.ref);
  if (typeof event !== 'string' || event === '') throw new ProtocolError('a message needs an event (a string)', refs.ref, topic);
  if (payload === null || typeof payload !== 'object') throw new ProtocolError('a message payload must be an object', refs.ref, topic);
  return { ...refs, topic, event, payload };
}

export function decodeText(vsn: Vsn, text: string): PhoenixMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProtocolError('malformed message: not JSON');
  }
  if (vsn === '2.0.0') {
    if (!Array.isArray(parsed) || parsed.length !== 5) throw new ProtocolError('malformed message: expected [join_ref, ref, topic, event, payload]');
    return checked(parsed[0], parsed[1], parsed[2], parsed[3], parsed[4]);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ProtocolError('malformed message: expected {topic, event, payload, ref}');
  }
  const m = parsed as Record<string, unknown>;
  return checked(m.join_ref, m.ref, m.topic, m.event, m.payload);
}

/** A 2.0.0 binary frame (only user broadcast pushes are defined) as the message it stands for. */
export function decodeBinary(frame: Buffer): PhoenixMessage {
  if (frame.length < 7 || frame[0] !== KIND_USER_BROADCAST_PUSH) {
    throw new ProtocolError(`malformed binary message: kind ${frame[0] ?? 'missing'} is not a user broadcast push (3)`);
  }
  const lengths = [frame[1]!, frame[2]!, frame[3]!, frame[4]!, frame[5]!];
  const encoding = frame[6]!;
  let offset = 7;
  const fields = lengths.map((length) => {
    const value = frame.subarray(offset, offset + length).toString('utf8');
    offset += length;
    return value;
  });
  if (offset > frame.length) throw new ProtocolError('malformed binary message: shorter than its header says');
  const [joinRef, ref, topic, event, meta] = fields as [string, string, string, string, string];
  const body = frame.subarray(offset);
  let metadata: Record<string, unknown> = {};
  try {
    if (meta !== '') metadata = JSON.parse(meta) as Record<string, unknown>;
    const payload = encoding === ENCODING_JSON ? JSON.parse(body.toString('utf8')) : undefined;
    if (encoding !== ENCODING_JSON && encoding !== ENCODING_BINARY) throw new ProtocolError(`unknown payload encoding ${encoding}`, ref || null, topic);
    const broadcast: Record<string, unknown> = { ...metadata, type: 'broadcast', event, payload };
    if (encoding === ENCODING_BINARY) broadcast.binary = Buffer.from(body);
    return checked(joinRef || null, ref || null, topic, 'broadcast', broadcast);
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError('malformed binary message: its metadata or JSON payload does not parse', ref || null, topic);
  }
}

export function encodeMessage(vsn: Vsn, m: PhoenixMessage): string {
  if (vsn === '2.0.0') return JSON.stringify([m.join_ref, m.ref, m.topic, m.event, m.payload]);
  return JSON.stringify({ topic: m.topic, event: m.event, payload: m.payload, ref: m.ref, join_ref: m.join_ref });
}

/**
 * A user broadcast to one client: a kind 4 frame in 2.0.0; in 1.0.0 a JSON message, where raw
 * bytes travel as base64 (JSON has no bytes; 1.0.0 clients never send binary payloads).
 */
export function encodeBroadcast(vsn: Vsn, topic: string, b: UserBroadcast): string | Buffer {
  if (vsn === '1.0.0') {
    const payload = b.binary ? b.binary.toString('base64') : b.payload;
    return encodeMessage(vsn, { join_ref: null, ref: null, topic, event: 'broadcast', payload: { type: 'broadcast', event: b.event, payload } });
  }
  const topicBytes = Buffer.from(topic, 'utf8');
  const eventBytes = Buffer.from(b.event, 'utf8');
  const body = b.binary ?? Buffer.from(JSON.stringify(b.payload ?? {}), 'utf8');
  const header = Buffer.from([KIND_USER_BROADCAST, topicBytes.length, eventBytes.length, 0, b.binary ? ENCODING_BINARY : ENCODING_JSON]);
  return Buffer.concat([header, topicBytes, eventBytes, body]);
}

/** Byte lengths in kind 4 headers are one octet each. */
export function fitsBinaryHeader(topic: string, event: string): boolean {
  return Buffer.byteLength(topic) <= 255 && Buffer.byteLength(event) <= 255;
}

export function reply(m: Pick<PhoenixMessage, 'join_ref' | 'ref' | 'topic'>, status: 'ok' | 'error', response: unknown = {}): PhoenixMessage {
  return { join_ref: m.join_ref, ref: m.ref, topic: m.topic, event: 'phx_reply', payload: { status, response } };
}

export function parseVsn(value: string | null): Vsn | undefined {
  if (value === null || value === '') return '1.0.0';
  return (VSNS as readonly string[]).includes(value) ? (value as Vsn) : undefined;
}
