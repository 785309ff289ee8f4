/**
 * `devflow run --tty` over a WebSocket (RFC 6455; issue 21):
 *
 *   GET /api/v1/apps/{app}/runs/tty?command=bash&rows=24&cols=80   (Upgrade: websocket)
 *
 * Authenticated as every API request (authenticate.ts): a bearer token (or a session's access
 * token), the `deploy` scope on the app (scopes.ts), the same 401/403/404 answers, written on the
 * raw socket since an upgrade has no Express response. Once open:
 *   client → server   binary frames: keystrokes;   text frames: {"resize": {"rows": R, "cols": C}}
 *   server → client   binary frames: the terminal's output;
 *                     text frames: {"run": …} first, {"exit": N, "state": "…"} last, or {"error": "…"}
 * then the server closes (1000). The client closing, or its connection dropping, kills the run.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { accessFromSecret, authorize, recordAudit, type Access } from '../accounts/index.js';
import { refuseUpgrade } from '../backend/index.js';
import { DevflowError, InvalidInputError, errorMessage } from '../core/errors.js';
import { parseAppName, type AppName } from '../core/names.js';
import type { Sql } from '../core/store/database.js';
import { parseRunCommand, parseTerminalSide, type AddonOperations, type StartedTty } from '../addons/index.js';
import { accessTarget } from './access-target.js';
import { tokenFromRequest } from './auth.js';
import { statusOfError } from './errors.js';
import { clientIp } from './rate-limit.js';
import { requiredScope } from './scopes.js';

const TTY_PATH = /^\/api\/v1\/(?:apps|projects)\/([^/]+)\/runs\/tty$/;

export interface RunTtyDeps {
  sql: Sql;
  addons: AddonOperations | undefined;
}

interface TtyRequestParams {
  app: AppName;
  command: string;
  rows: number;
  cols: number;
}

/** Reads the upgrade's target; throws InvalidInputError naming the bad parameter. */
export function parseTtyRequest(appSegment: string, query: URLSearchParams): TtyRequestParams {
  return {
    app: parseAppName(decodeURIComponent(appSegment)),
    command: parseRunCommand(query.get('command') ?? ''),
    rows: parseTerminalSide(query.get('rows') ?? '24', 'rows'),
    cols: parseTerminalSide(query.get('cols') ?? '80', 'cols'),
  };
}

/** Takes the upgrade when its path is a run's terminal; false for any other path. */
export function createRunTtyUpgrade(deps: RunTtyDeps): (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  return (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://devflow');
    const match = TTY_PATH.exec(url.pathname);
    if (!match) return false;
    admit(deps, req, match[1]!, url.searchParams).then(
      ({ params, access }) => wss.handleUpgrade(req, socket, head, (ws) => void relay(deps, ws, params, access)),
      (err: unknown) => refuse(socket, err),
    );
    return true;
  };
}

class Refusal extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function admit(deps: RunTtyDeps, req: IncomingMessage, appSegment: string, query: URLSearchParams): Promise<{ params: TtyRequestParams; access: Access }> {
  const token = tokenFromRequest(req);
  if (!token) throw new Refusal(401, 'unauthorized', 'authentication required: send "Authorization: Bearer <token>"');
  const access = await accessFromSecret(deps.sql, token);
  if (!access) throw new Refusal(401, 'unauthorized', 'the token is not valid or has expired');
  const path = `/apps/${appSegment}/runs/tty`;
  // Starting a process is a change, whatever the upgrade's GET says: the scope of POST /runs.
  const scope = requiredScope('POST', path);
  const verdict = await authorize(deps.sql, access, scope, accessTarget(path, {}));
  if (verdict.decision === 'not_found') throw new Refusal(404, 'not_found', `app "${decodeURIComponent(appSegment)}" does not exist`);
  if (verdict.decision === 'forbidden') throw new Refusal(403, 'forbidden', `this needs a credential with the "${scope}" permission on the app`);
  if (!deps.addons) throw new DevflowError('runtime_unavailable', 'one-off runs are not available on this DevFlow');
  const params = parseTtyRequest(appSegment, query);
  await recordAudit(deps.sql, {
    actor: access.actor, team: verdict.team ?? null, app: params.app, action: 'run.tty', target: params.command,
    sourceIp: clientIp(req), requestId: null,
  }).catch(() => {});
  return { params, access };
}

function refuse(socket: Duplex, err: unknown): void {
  if (err instanceof Refusal) return refuseUpgrade(socket, err.status, { error: { code: err.code, message: err.message } });
  if (err instanceof DevflowError) return refuseUpgrade(socket, statusOfError(err), { error: { code: err.code, message: err.message } });
  console.error('devflow run --tty: refused upgrade', err);
  refuseUpgrade(socket, 500, { error: { code: 'internal', message: 'internal error; see the DevFlow server log' } });
}

async function relay(deps: RunTtyDeps, ws: WebSocket, params: TtyRequestParams, access: Access): Promise<void> {
  const controller = new AbortController();
  ws.on('close', () => controller.abort());
  ws.on('error', () => controller.abort());
  // Frames that arrive while the process starts wait for it (a client may type at once).
  let terminal: StartedTty['terminal'] | undefined;
  const early: Array<(t: StartedTty['terminal']) => void> = [];
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const apply = frameAction(ws, Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer), isBinary);
    if (terminal) apply(terminal);
    else early.push(apply);
  });
  try {
    const started = await deps.addons!.runs.startTty(params.app, {
      command: params.command, actor: access.actor, rows: params.rows, cols: params.cols, signal: controller.signal,
      onData: (chunk) => {
        if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
      },
    });
    ws.send(JSON.stringify({ run: started.run }));
    terminal = started.terminal;
    early.splice(0).forEach((apply) => apply(started.terminal));
    const ended = await started.done;
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ exit: ended.exitCode, state: ended.state }));
    ws.close(1000);
  } catch (err) {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ error: errorMessage(err) }));
    ws.close(1011);
  }
}

/** Keystrokes go to the terminal; a text frame is a resize (a bad one is answered, not fatal). */
function frameAction(ws: WebSocket, bytes: Buffer, isBinary: boolean): (t: StartedTty['terminal']) => void {
  if (isBinary) return (t) => t.write(bytes);
  return (t) => {
    try {
      const { rows, cols } = parseResize(bytes.toString('utf8'));
      t.resize(rows, cols);
    } catch (err) {
      ws.send(JSON.stringify({ error: errorMessage(err) }));
    }
  };
}

/** A text frame from the client: {"resize": {"rows": R, "cols": C}}. */
export function parseResize(text: string): { rows: number; cols: number } {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new InvalidInputError('text frames are JSON: {"resize": {"rows": R, "cols": C}}');
  }
  const resize = (message as { resize?: { rows?: unknown; cols?: unknown } } | null)?.resize;
  if (typeof resize !== 'object' || resize === null) throw new InvalidInputError('send {"resize": {"rows": R, "cols": C}}');
  return { rows: parseTerminalSide(resize.rows, 'rows'), cols: parseTerminalSide(resize.cols, 'cols') };
}
