/**
 * GET /api/v1/events: the event bus as server-sent events (HTML Living Standard, "Server-sent
 * events"), optionally only one app's (`?app=`, checked by the gate like any app route). Each
 * message has `event: <type>` and the event as JSON data; a caller sees only the events of
 * apps their teams hold (accounts/, `maySeeApp`). A comment every 15 s keeps proxies from
 * closing an idle stream.
 * POST /api/v1/events/ticket trades the caller's credential for a short-lived read ticket, for
 * browsers whose EventSource cannot send an Authorization header.
 */
import type express from 'express';
import { maySeeApp, type Access } from '../../accounts/index.js';
import type { DevflowEvent } from '../../core/events.js';
import { parseAppName } from '../../core/names.js';
import type { Sql } from '../../core/store/database.js';
import type { ApiDeps } from '../deps.js';
import type { TicketBook } from '../tickets.js';
import { accessOf } from '../authenticate.js';
import { route } from './handler.js';

const HEARTBEAT_MS = 15_000;

export function registerEventRoutes(v1: express.Router, deps: ApiDeps, tickets: TicketBook): void {
  v1.post('/events/ticket', route(async (_req, res) => {
    const { ticket, expiresAt } = tickets.issue(accessOf(res));
    res.status(201).json({ ticket, expiresAt });
  }));
  v1.get('/events', route(async (req, res) => {
    const app = req.query.app === undefined ? undefined : parseAppName(req.query.app);
    const visible = appFilter(deps.sql, accessOf(res));
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.write(': devflow events\nretry: 2000\n\n');
    // Events wait for their app's check in one chain, so they reach the client in bus order.
    let chain = Promise.resolve();
    const send = (event: DevflowEvent) => {
      if (app !== undefined && event.app !== app) return;
      chain = chain.then(async () => {
        if (await visible(event.app)) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      }).catch(() => undefined);
    };
    const unsubscribe = deps.bus.subscribe(send);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    await new Promise<void>((resolve) => req.on('close', resolve));
    clearInterval(heartbeat);
    unsubscribe();
  }));
}

/** Whether the caller sees an app's events, remembered per stream (an app's team rarely changes). */
function appFilter(sql: Sql, access: Access): (app: string | undefined) => Promise<boolean> {
  if (access.teams === 'all' && access.apps === null) return async () => true;
  const known = new Map<string, Promise<boolean>>();
  return (app) => {
    if (app === undefined) return Promise.resolve(false);
    let answer = known.get(app);
    if (!answer) known.set(app, (answer = maySeeApp(sql, access, app)));
    return answer;
  };
}
