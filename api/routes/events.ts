/**
 * GET /api/v1/events: the event bus as server-sent events (HTML Living Standard, "Server-sent
 * events"), optionally only one app's (`?app=`). Each message has `event: <type>` and the event
 * as JSON data. A comment every 15 s keeps proxies from closing an idle stream.
 * POST /api/v1/events/ticket trades the caller's token for a short-lived read ticket, for
 * browsers whose EventSource cannot send an Authorization header.
 */
import type express from 'express';
import type { DevflowEvent } from '../../core/events.js';
import { parseAppName } from '../../core/names.js';
import type { ApiDeps } from '../deps.js';
import type { TicketBook } from '../tickets.js';
import { grantOf } from '../authenticate.js';
import { route } from './handler.js';

const HEARTBEAT_MS = 15_000;

export function registerEventRoutes(v1: express.Router, deps: ApiDeps, tickets: TicketBook): void {
  v1.post('/events/ticket', route(async (_req, res) => {
    const { ticket, expiresAt } = tickets.issue(grantOf(res));
    res.status(201).json({ ticket, expiresAt });
  }));
  v1.get('/events', route(async (req, res) => {
    const app = req.query.app === undefined ? undefined : parseAppName(req.query.app);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.write(': devflow events\nretry: 2000\n\n');
    const send = (event: DevflowEvent) => {
      if (app !== undefined && event.app !== app) return;
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    };
    const unsubscribe = deps.bus.subscribe(send);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    await new Promise<void>((resolve) => req.on('close', resolve));
    clearInterval(heartbeat);
    unsubscribe();
  }));
}
