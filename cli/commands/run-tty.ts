/**
 * `devflow run --tty` (issue 21): the client side of the API's terminal WebSocket (api/run-tty.ts).
 * Keystrokes go as binary frames (stdin in raw mode when it is a terminal, so Ctrl-C reaches the
 * remote shell rather than ending the CLI), the window's size at start and at each change as
 * {"resize"} text frames, the terminal's output to stdout as it comes; the CLI exits with the
 * remote command's exit code. Closing the CLI closes the socket, which kills the run.
 */
import { CliError } from '../errors.js';

export interface TerminalIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Messages for the person (the run's number, errors), apart from the terminal's bytes. */
  notice(line: string): void;
  size(): { rows: number; cols: number };
  /** Calls `listener` on each window size change; returns the unsubscribe. */
  onResize(listener: () => void): () => void;
}

export interface TtyTarget {
  base: string;
  token: string;
  app: string;
  command: string;
}

interface ServerMessage {
  run?: { id: number; release: number };
  exit?: number | null;
  state?: string;
  error?: string;
}

export function terminalUrl(target: TtyTarget, size: { rows: number; cols: number }): string {
  const url = new URL(`${target.base}/api/v1/apps/${encodeURIComponent(target.app)}/runs/tty`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('command', target.command);
  url.searchParams.set('rows', String(size.rows));
  url.searchParams.set('cols', String(size.cols));
  return url.toString();
}

/** Relays one terminal session; resolves with the CLI's exit status (the remote command's exit code, else 1). */
export async function attachTerminal(target: TtyTarget, io: TerminalIo): Promise<number> {
  // Loaded here, not at the top: CLI command modules load nothing heavy before they run (cli/lazy-loading.test.ts).
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(terminalUrl(target, io.size()), { headers: { authorization: `Bearer ${target.token}` } });
  return new Promise<number>((resolve, reject) => {
    let ended: ServerMessage | undefined;
    let failure: string | undefined;
    let started = false;
    // Keys typed while the socket opens wait for it rather than being lost.
    const early: Buffer[] = [];
    const sendKeys = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (ws.readyState === WebSocket.OPEN) ws.send(bytes, { binary: true });
      else if (ws.readyState === WebSocket.CONNECTING) early.push(bytes);
    };
    io.input.on('data', sendKeys);
    const sendSize = () => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ resize: io.size() }));
    };
    let unsubscribe = () => {};
    ws.on('open', () => {
      early.splice(0).forEach((bytes) => ws.send(bytes, { binary: true }));
      unsubscribe = io.onResize(sendSize);
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return void io.output.write(data);
      const message = JSON.parse(data.toString('utf8')) as ServerMessage;
      if (message.run) started = true;
      if (message.run) io.notice(`Running ${target.command} on ${target.app} (run ${message.run.id}, v${message.run.release}), with a terminal`);
      // Before the run, an error is why it never started (the CLI's failure); during it, a notice.
      if (message.error !== undefined) failure = message.error;
      if (message.error !== undefined && started) io.notice(` !    ${message.error}`);
      if (message.state !== undefined) ended = message;
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        io.input.off('data', sendKeys);
        reject(refusal(res.statusCode ?? 0, body));
      });
    });
    ws.on('error', (err) => {
      io.input.off('data', sendKeys);
      reject(new CliError(`cannot reach DevFlow at ${target.base}: ${err.message}`, 'unreachable'));
    });
    ws.on('close', () => {
      io.input.off('data', sendKeys);
      unsubscribe();
      if (!ended) return reject(new CliError(failure ?? 'the connection to DevFlow ended before the run did', 'failed'));
      if (ended.state === 'timed-out') io.notice(' !    the run timed out');
      resolve(typeof ended.exit === 'number' && ended.state !== 'timed-out' ? ended.exit : 1);
    });
  });
}

function refusal(status: number, body: string): CliError {
  let message = `HTTP ${status}`;
  try {
    message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? message;
  } catch {
    // not JSON: keep the status
  }
  return new CliError(message, status === 401 ? 'unauthorized' : 'failed');
}

/** This process's terminal: raw stdin while the session lasts when it is a TTY, the window's size. */
export async function attachProcessTerminal(target: TtyTarget): Promise<number> {
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  if (raw) stdin.setRawMode(true);
  stdin.resume();
  try {
    return await attachTerminal(target, {
      input: stdin,
      output: process.stdout,
      notice: (line) => process.stderr.write(`${line}\r\n`),
      size: () => ({ rows: process.stdout.rows || 24, cols: process.stdout.columns || 80 }),
      onResize: (listener) => {
        process.stdout.on('resize', listener);
        return () => process.stdout.off('resize', listener);
      },
    });
  } finally {
    if (raw) stdin.setRawMode(false);
    stdin.pause();
  }
}
