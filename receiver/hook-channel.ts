/**
 * The private channel between the pre-receive hook (hook.mjs, run by git) and this server.
 *
 * Each push gets a session: a random id and a secret. They reach the hook through receive-pack's environment (git passes its environment to hooks), never
 * through anything the pusher controls. The hook POSTs one ref update at a time to
 * http://127.0.0.1:<port>/push/<id> with `Authorization: Bearer <secret>`, and reads back a
 * line-framed stream:
 *
 *   log <text>     a log line, shown to the pusher as `remote: <text>`
 *   ok <message>   final verdict: accept this ref
 *   fail <message> final verdict: reject the push
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { AppName } from '../core/names.js';
import type { LogSink } from '../core/types.js';
import { errorMessage } from '../core/errors.js';
import type { PushOutcome } from './contract.js';

export interface RefUpdate {
  ref: string;
  oldSha: string;
  newSha: string;
  /** The quarantine folder holding the pushed objects (GIT_QUARANTINE_PATH), when git uses one. */
  quarantine?: string;
}

/** The app pushed to and who pushed (the token's name), fixed when the push's session opens. */
export interface Pusher {
  app: AppName;
  actor: string;
  /** When the receive-pack request that opened the session arrived. */
  receivedAt: Date;
}

export type RunPush = (pusher: Pusher, update: RefUpdate, log: LogSink, signal: AbortSignal) => Promise<PushOutcome>;

export interface PushSession {
  /** Environment for git receive-pack, inherited by the hook. */
  env: Record<string, string>;
  abort(reason: string): void;
  dispose(): Promise<void>;
}

interface Session {
  pusher: Pusher;
  secret: Buffer;
  controller: AbortController;
  /** onPush calls still running; dispose waits for them even if the pusher left. */
  running: Set<Promise<unknown>>;
}

const SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;
const MAX_HOOK_BODY = 64 * 1024;

/** Encodes one frame; text is split so a stray newline can never forge a verdict. */
export function frame(kind: 'log' | 'ok' | 'fail', text: string): string {
  const lines = text.split(/\r?\n/);
  if (kind === 'log') return lines.map((l) => `log ${l}\n`).join('');
  return lines.slice(0, -1).map((l) => `log ${l}\n`).join('') + `${kind} ${lines.at(-1) ?? ''}\n`;
}

export function parseRefUpdate(body: unknown): RefUpdate | null {
  if (typeof body !== 'object' || body === null) return null;
  const { ref, oldSha, newSha, quarantine } = body as Record<string, unknown>;
  if (typeof ref !== 'string' || !ref.startsWith('refs/') || ref.length > 1024) return null;
  if (typeof oldSha !== 'string' || !SHA.test(oldSha)) return null;
  if (typeof newSha !== 'string' || !SHA.test(newSha)) return null;
  if (quarantine === undefined) return { ref, oldSha, newSha };
  if (typeof quarantine !== 'string' || !path.isAbsolute(quarantine) || quarantine.length > 4096) return null;
  return { ref, oldSha, newSha, quarantine };
}

export class HookChannel {
  private readonly sessions = new Map<string, Session>();
  private readonly server: http.Server;
  private listening: Promise<number> | null = null;

  constructor(private readonly runPush: RunPush) {
    this.server = http.createServer((req, res) => void this.serve(req, res));
  }

  /** Starts the loopback listener on first use; resolves to its port. */
  private port(): Promise<number> {
    this.listening ??= new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port));
    });
    return this.listening;
  }

  async open(app: AppName, actor: string, receivedAt = new Date()): Promise<PushSession> {
    const port = await this.port();
    const id = randomBytes(12).toString('hex');
    const secret = randomBytes(32);
    const session: Session = { pusher: { app, actor, receivedAt }, secret, controller: new AbortController(), running: new Set() };
    this.sessions.set(id, session);
    return {
      env: {
        DEVFLOW_HOOK_URL: `http://127.0.0.1:${port}/push/${id}`,
        DEVFLOW_HOOK_SECRET: secret.toString('hex'),
      },
      abort: (reason) => session.controller.abort(new Error(reason)),
      dispose: async () => {
        this.sessions.delete(id);
        await Promise.allSettled([...session.running]);
      },
    };
  }

  async close(): Promise<void> {
    for (const session of this.sessions.values()) session.controller.abort(new Error('receiver closing'));
    if (!this.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private authorise(req: http.IncomingMessage): Session | null {
    const id = /^\/push\/([0-9a-f]{24})$/.exec(req.url ?? '')?.[1];
    const session = id ? this.sessions.get(id) : undefined;
    const given = Buffer.from(/^Bearer ([0-9a-f]{64})$/.exec(req.headers.authorization ?? '')?.[1] ?? '', 'hex');
    if (!session || req.method !== 'POST' || given.length !== session.secret.length) return null;
    return timingSafeEqual(given, session.secret) ? session : null;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const session = this.authorise(req);
    if (!session) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end(frame('fail', 'hook not authorised'));
      return;
    }
    const update = parseRefUpdate(await readJson(req).catch(() => null));
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
    if (!update) return void res.end(frame('fail', 'malformed ref update from the hook'));
    const log: LogSink = { line: (text) => void (res.writableEnded || res.write(frame('log', text))) };
    const running = this.runPush(session.pusher, update, log, session.controller.signal).catch(
      (err: unknown): PushOutcome => ({ ok: false, message: errorMessage(err) }),
    );
    session.running.add(running);
    const outcome = await running.finally(() => session.running.delete(running));
    res.end(frame(outcome.ok ? 'ok' : 'fail', outcome.message));
  }
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_HOOK_BODY) throw new Error('hook request too large');
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
