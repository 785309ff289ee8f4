/**
 * The Realtime service under `/realtime/v1` (contract.ts BackendService): WebSockets at
 * `/websocket?apikey=…&vsn=…` (RFC 6455, through `ws`) carrying the Phoenix channel protocol
 * (session.ts), and the HTTP broadcast endpoints (http-broadcast.ts). One hub per project holds
 * its channels; postgres_changes come from the project's replication feed (changes.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { BackendService, RequestContext, UpgradeContext } from '../contract.js';
import { refuseUpgrade } from '../upgrade.js';
import { ProjectHub } from './hub.js';
import { MAX_BROADCAST_BYTES, serveBroadcast } from './http-broadcast.js';
import { parseVsn } from './protocol.js';
import { RealtimeSession, type ChangeSubscriptions, type PrivateChannels } from './session.js';

/** Frames above this close the connection with 1009 (ws's maxPayload); Supabase's limit is similar. */
export const MAX_FRAME_BYTES = MAX_BROADCAST_BYTES;
/** realtime-js sends a heartbeat every 25 s; a socket silent this long is gone (Phoenix's own timeout). */
const IDLE_TIMEOUT_MS = 60_000;
/** A client reading slower than this much queued output is cut off rather than grown in memory. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface RealtimeServiceOptions {
  changes: ChangeSubscriptions & { close(): Promise<void>; stopProject(ref: string): Promise<void> };
  privateChannels: PrivateChannels;
  log(line: string): void;
}

export interface RealtimeService extends BackendService {
  /** Per project, its topics and their subscriber counts. */
  channels(ref: string): { topic: string; subscribers: number }[];
  close(): Promise<void>;
}

interface Open {
  socket: WebSocket;
  ref: string;
  lastSeen: number;
}

/** The close code a project's sockets get when its backend is disabled (4000-4999: the application's). */
export const CLOSE_PROJECT_DISABLED = 4004;

export function createRealtimeService(options: RealtimeServiceOptions): RealtimeService {
  const hubs = new Map<string, ProjectHub>();
  /** Open sockets per project: a hub goes when its project's last socket does, never under a live one. */
  const socketsOf = new Map<string, number>();
  const open = new Set<Open>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  let bindingIds = 0;
  const hubOf = (ref: string) => {
    let hub = hubs.get(ref);
    if (!hub) hubs.set(ref, (hub = new ProjectHub()));
    return hub;
  };

  const reaper = setInterval(() => {
    const now = Date.now();
    for (const o of open) if (now - o.lastSeen > IDLE_TIMEOUT_MS) o.socket.close(1000, 'heartbeat timeout');
  }, IDLE_TIMEOUT_MS / 2).unref();

  const accept = (socket: WebSocket, ctx: UpgradeContext, vsn: '1.0.0' | '2.0.0') => {
    const entry: Open = { socket, ref: ctx.project.ref, lastSeen: Date.now() };
    open.add(entry);
    const ref = ctx.project.ref;
    const hub = hubOf(ref);
    socketsOf.set(ref, (socketsOf.get(ref) ?? 0) + 1);
    const session = new RealtimeSession({
      hub, ctx, changes: options.changes, privateChannels: options.privateChannels, log: options.log,
      nextBindingId: () => (bindingIds = (bindingIds + 1) % 2 ** 31),
      connection: {
        vsn,
        send(frame) {
          if (socket.readyState !== socket.OPEN) return;
          if (socket.bufferedAmount > MAX_BUFFERED_BYTES) return socket.close(1013, 'the client reads too slowly');
          socket.send(frame);
        },
        close: (code, reason) => socket.close(code, reason),
      },
    });
    // Frames are handled one after another, so a join finishes before the next frame is read.
    let queue = Promise.resolve();
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      entry.lastSeen = Date.now();
      queue = queue.then(() => session.receive(data, isBinary)).catch((err: unknown) => options.log(`realtime ${ctx.project.ref}: ${String(err)}`));
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      open.delete(entry);
      void queue.then(() => {
        session.close();
        const left = (socketsOf.get(ref) ?? 1) - 1;
        if (left > 0) return void socketsOf.set(ref, left);
        socketsOf.delete(ref);
        hubs.delete(ref);
      });
    });
  };

  return {
    prefix: 'realtime/v1',

    async handle(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, path: string) {
      await serveBroadcast(req, res, ctx, path, { hub: (ref) => hubs.get(ref), privateChannels: options.privateChannels });
    },

    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: UpgradeContext, path: string) {
      const url = new URL(path, 'http://realtime');
      if (url.pathname !== '/websocket' && url.pathname !== '/websocket/') return refuseUpgrade(socket, 404, { message: 'no Route matched with those values' });
      const vsn = parseVsn(url.searchParams.get('vsn'));
      if (!vsn) return refuseUpgrade(socket, 400, { message: 'unsupported vsn: use 1.0.0 or 2.0.0' });
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws, ctx, vsn));
    },

    channels(ref) {
      return hubs.get(ref)?.channels() ?? [];
    },

    // The project's backend was disabled: its sockets close and its replication slot is dropped now,
    // not after the feed's linger (the gateway refuses the clients' reconnections).
    async disableProject(ref) {
      for (const o of open) if (o.ref === ref) o.socket.close(CLOSE_PROJECT_DISABLED, 'the project backend is disabled');
      await options.changes.stopProject(ref);
    },

    async close() {
      clearInterval(reaper);
      for (const o of open) o.socket.terminate();
      open.clear();
      await options.changes.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
