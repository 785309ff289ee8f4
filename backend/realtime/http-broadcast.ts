/**
 * Broadcast over HTTP, as Supabase Realtime documents it ("Broadcast using the REST API"):
 *
 * - `POST /api/broadcast` with `{ messages: [{ topic, event, payload, private? }] }` (what
 *   realtime-js's send() falls back to before a channel is joined), and
 * - `POST /api/broadcast/<topic>/events/<event>[?private=true]` with the payload as the body,
 *   JSON or raw bytes (`application/octet-stream`), what realtime-js's httpSend() calls.
 *
 * Both answer 202 with no body once the messages went out to the topic's members.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from '../contract.js';
import type { Caller, ProjectHub } from './hub.js';
import type { UserBroadcast } from './protocol.js';
import type { PrivateChannels } from './session.js';

/** The largest HTTP broadcast body; the same as a WebSocket frame's limit. */
export const MAX_BROADCAST_BYTES = 1024 * 1024;

export interface OutgoingBroadcast {
  topic: string;
  private: boolean;
  message: UserBroadcast;
}

export class BroadcastRequestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'BroadcastRequestError';
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BroadcastRequestError(400, 'the body is not JSON');
  }
}

/** The messages a request asks to send, or the error to answer; pure. */
export function planBroadcast(path: string, contentType: string, body: Buffer): OutgoingBroadcast[] {
  const url = new URL(path, 'http://realtime');
  if (url.pathname === '/api/broadcast') {
    const messages = (parseJson(body) as { messages?: unknown })?.messages;
    if (!Array.isArray(messages)) throw new BroadcastRequestError(400, 'the body needs messages: a list of { topic, event, payload }');
    return messages.map((raw) => {
      const m = (raw ?? {}) as Record<string, unknown>;
      if (typeof m.topic !== 'string' || m.topic === '' || typeof m.event !== 'string' || m.event === '') {
        throw new BroadcastRequestError(400, 'each message needs a topic and an event (strings)');
      }
      return { topic: m.topic, private: m.private === true, message: { event: m.event, payload: m.payload ?? {} } };
    });
  }
  const single = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/.exec(url.pathname);
  if (!single) throw new BroadcastRequestError(404, 'no such realtime endpoint');
  const [topic, event] = [decodeURIComponent(single[1]!), decodeURIComponent(single[2]!)];
  const binary = contentType.startsWith('application/octet-stream');
  const message: UserBroadcast = binary ? { event, payload: undefined, binary: body } : { event, payload: parseJson(body) };
  return [{ topic, private: url.searchParams.get('private') === 'true', message }];
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BROADCAST_BYTES) throw new BroadcastRequestError(413, `the body is larger than ${MAX_BROADCAST_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function answer(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) return void res.writeHead(status).end();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

export async function serveBroadcast(
  req: IncomingMessage, res: ServerResponse, ctx: RequestContext, path: string,
  deps: { hub(ref: string): ProjectHub | undefined; privateChannels: PrivateChannels },
): Promise<void> {
  if (req.method !== 'POST') return answer(res, 405, { error: 'use POST' });
  try {
    const outgoing = planBroadcast(path, String(req.headers['content-type'] ?? 'application/json'), await readBody(req));
    const caller: Caller = { role: ctx.role, claims: ctx.claims, token: ctx.token };
    for (const o of outgoing) {
      if (o.private && !(await deps.privateChannels.allowed(ctx.project, caller, o.topic, 'broadcast', 'write'))) {
        throw new BroadcastRequestError(401, `Unauthorized: You do not have permissions to write to this Channel topic: ${o.topic}`);
      }
    }
    const hub = deps.hub(ctx.project.ref);
    for (const o of outgoing) hub?.broadcast(`realtime:${o.topic}`, o.message);
    answer(res, 202);
  } catch (err) {
    if (!(err instanceof BroadcastRequestError)) throw err;
    answer(res, err.status, { error: err.message, message: err.message });
  }
}
