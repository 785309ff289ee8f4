/**
 * GET /api/v1/apps/{app}/logs: the app's runtime logs, kept by the collector (logs/collector.ts).
 * `?lines=100` (max 1000), `?process=web`, `?follow=true` to keep the response open and send new
 * lines as they are collected. Text by default, one line each:
 * `<time> <type>.<slot>[<instance>]: <line>`; `?format=json` gives JSON (an array, or with follow
 * one object per line, NDJSON). Search (issue 18, telemetry/logs/): `?query=` in the log query
 * language, `?since=` and `?until=` (a duration back from now such as 2h, or an ISO time); a bad
 * query is a 400 that names the column.
 */
import type express from 'express';
import type { Request, Response } from 'express';
import { InvalidInputError } from '../../core/errors.js';
import { parseAppName, parseProcessType } from '../../core/names.js';
import { getApp } from '../../core/store/apps.js';
import type { RuntimeLogLine } from '../../core/store/runtime-logs.js';
import { releaseAndSlotOf } from '../../scheduler/index.js';
import { buildLogSearch, parseTimeRange, searchLogs, type FoundLogLine, type LogSearch } from '../../telemetry/index.js';
import type { ApiDeps } from '../deps.js';
import { route } from './handler.js';

const POLL_MS = 1000;
const MAX_LINES = 1000;

export function registerLogRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/apps/:app/logs', route(async (req, res) => {
    const app = await getApp(deps.sql, parseAppName(req.params.app));
    const lines = parseLines(req.query.lines);
    const processType = req.query.process === undefined ? undefined : parseProcessType(req.query.process);
    const json = req.query.format === 'json';
    const search: LogSearch = { appId: app.id, limit: lines, processType, query: optionalText(req.query.query, 'query'), ...timeRangeOf(req) };
    buildLogSearch(search); // refuses a bad query before anything is sent
    const recent = await searchLogs(deps.sql, search);
    if (req.query.follow !== 'true' && req.query.follow !== '1') {
      if (json) res.json(recent.map(logLineView));
      else res.type('text/plain; charset=utf-8').end(recent.map((l) => `${formatLogLine(l)}\n`).join(''));
      return;
    }
    await follow(deps, req, res, { ...search, limit: MAX_LINES }, recent, json);
  }));
}

function optionalText(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidInputError(`${what} must be given once, as text`);
  return value;
}

function timeRangeOf(req: Request): { since?: Date; until?: Date } {
  return parseTimeRange(optionalText(req.query.since, 'since'), optionalText(req.query.until, 'until'), new Date());
}

function parseLines(value: unknown): number {
  if (value === undefined) return 100;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > MAX_LINES) throw new InvalidInputError(`lines must be an integer from 0 to ${MAX_LINES}`);
  return n;
}

/** Sends the recent lines, then polls the store for newer ones until the client goes away. */
async function follow(deps: ApiDeps, req: Request, res: Response, query: LogSearch, recent: FoundLogLine[], json: boolean): Promise<void> {
  res.writeHead(200, { 'content-type': json ? 'application/x-ndjson' : 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  const write = (l: FoundLogLine) => res.write(json ? `${JSON.stringify(logLineView(l))}\n` : `${formatLogLine(l)}\n`);
  recent.forEach(write);
  let lastId = recent.at(-1)?.id ?? (await searchLogs(deps.sql, { appId: query.appId, limit: 1 })).at(-1)?.id ?? 0;
  let closed = false;
  req.on('close', () => (closed = true));
  while (!closed) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (closed) break;
    for (const line of await searchLogs(deps.sql, { ...query, afterId: lastId })) {
      write(line);
      lastId = line.id;
    }
  }
  res.end();
}

export function logLineView(l: FoundLogLine) {
  return { id: l.id, at: l.at, process: processName(l), instance: l.instance, release: l.release, line: l.line, fields: l.fields };
}

/** Heroku's `web.1`: the process type and the replica slot. */
function processName(l: RuntimeLogLine): string {
  const slot = releaseAndSlotOf(l.instance)?.slot;
  return slot === undefined ? l.processType : `${l.processType}.${slot}`;
}

export function formatLogLine(l: RuntimeLogLine): string {
  return `${l.at.toISOString()} ${processName(l)}[${l.instance}]: ${l.line}`;
}
