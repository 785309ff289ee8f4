/**
 * One-off runs (issue 21, addons/runs):
 *   POST /apps/{app}/runs        { "command": "node scripts/migrate.js", "detach": false }
 *        attached: 200 application/x-ndjson, one JSON object a line: {"run": …}, {"line": "…"}…,
 *        then {"exit": N, "state": "…"}; the run is killed when the client goes away.
 *        detached: 200 application/json, the run (it goes on; GET it later for its output).
 *   GET  /apps/{app}/runs        recent runs (one-off and cron)
 *   GET  /apps/{app}/runs/{id}   one run with the tail of its output
 *   GET  /apps/{app}/cron        app.json cron jobs: last run, status, next run, missed runs
 */
import type express from 'express';
import { InvalidInputError } from '../../core/errors.js';
import { parseAppName } from '../../core/names.js';
import { parseRunCommand } from '../../addons/index.js';
import { grantOf } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import { addonsOf } from './addons.js';
import { parsePositiveInt, route } from './handler.js';

export function parseNewRun(body: unknown): { command: string; detach: boolean } {
  const { command, detach = false, ...rest } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new InvalidInputError(`unknown field "${Object.keys(rest)[0]}": send command and detach`);
  if (typeof detach !== 'boolean') throw new InvalidInputError('detach must be true or false');
  return { command: parseRunCommand(command), detach };
}

export function registerRunRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.post('/apps/:app/runs', route(async (req, res) => {
    const app = parseAppName(req.params.app);
    const { command, detach } = parseNewRun(req.body);
    const runs = addonsOf(deps).runs;
    if (detach) {
      const { run } = await runs.start(app, { command, actor: grantOf(res).name, detached: true });
      res.json(run);
      return;
    }
    const controller = new AbortController();
    const send = (event: object) => res.write(`${JSON.stringify(event)}\n`);
    let streaming = false;
    const early: string[] = [];
    const { run, done } = await runs.start(app, {
      command, actor: grantOf(res).name, detached: false, signal: controller.signal,
      onLine: (line) => (streaming ? send({ line }) : early.push(line)),
    });
    // The client went away before the run ended: kill it (Heroku's attached one-off dynos end with the session).
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    send({ run });
    // Lines that came before the head was written go first, then they stream as they come.
    early.forEach((line) => send({ line }));
    streaming = true;
    const ended = await done;
    send({ exit: ended.exitCode, state: ended.state });
    res.end();
  }));
  v1.get('/apps/:app/cron', route(async (req, res) => {
    res.json(await addonsOf(deps).cron(parseAppName(req.params.app)));
  }));
  v1.get('/apps/:app/runs', route(async (req, res) => {
    res.json(await addonsOf(deps).runs.list(parseAppName(req.params.app)));
  }));
  v1.get('/apps/:app/runs/:id', route(async (req, res) => {
    res.json(await addonsOf(deps).runs.get(parseAppName(req.params.app), parsePositiveInt(req.params.id, 'run id')));
  }));
}
