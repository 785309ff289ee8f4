/**
 * `devflow run --tty` end to end in one process: the API's WebSocket upgrade (api/run-tty.ts)
 * with the real PostgreSQL (tokens, the run record), the process runtime's real pseudo-terminal
 * (node-pty), driven by the CLI's own client (cli/commands/run-tty.ts) as `devflow run --tty`
 * drives it: typed commands run and answer, `stty size` inside sees the window size at start
 * and after a resize, the exit code comes back, a missing/bad/too-small credential is refused,
 * and a client that goes away has its process killed.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createPerson, createTeam, ROLES, startSession } from '../accounts/index.js';
import { parseAppName } from '../core/names.js';
import { createApiToken } from '../core/store/api-tokens.js';
import { createApp, setCurrentRelease } from '../core/store/apps.js';
import { createRelease } from '../core/store/releases.js';
import { ProcessRuntime } from '../scheduler/index.js';
import { RunService, type AddonOperations } from '../addons/index.js';
import { isPidRunning, waitFor } from '../scheduler/runtime/test-support.js';
import { createTestDatabase, type TestDatabase } from '../tests/support/postgres.js';
import { attachTerminal, terminalUrl, type TerminalIo } from '../cli/commands/run-tty.js';
import { createRunTtyUpgrade } from './run-tty.js';

let db: TestDatabase;
let home: string;
let server: http.Server;
let base: string;
let deployToken: string;
let readToken: string;
let runs: RunService;
const app = parseAppName('ttyapp');

beforeAll(async () => {
  db = await createTestDatabase();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-tty-'));
  const slug = path.join(home, 'slug');
  await fs.mkdir(slug);
  const record = await createApp(db.sql, app);
  const release = await createRelease(db.sql, {
    appId: record.id, deploymentId: null, sha: null, description: 'test', config: { GREETING: 'hello' },
    artifact: { kind: 'slug', dir: slug, processes: { web: 'sleep 60' }, env: {} },
  });
  await setCurrentRelease(db.sql, record.id, release.version);
  runs = new RunService({ sql: db.sql, runtime: new ProcessRuntime({ home }), log: () => {} });
  const upgrade = createRunTtyUpgrade({ sql: db.sql, addons: { runs } as unknown as AddonOperations });
  server = http.createServer((_req, res) => res.end());
  server.on('upgrade', (req, socket, head) => {
    if (!upgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  deployToken = (await createApiToken(db.sql, { name: 'tty-deploy', scope: 'deploy', expiresInMs: null })).secret;
  readToken = (await createApiToken(db.sql, { name: 'tty-read', scope: 'read', expiresInMs: null })).secret;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await db?.drop();
  await fs.rm(home, { recursive: true, force: true });
});

/** A terminal the test types into, reads from and resizes, as a person at `devflow run --tty`. */
function fakeTerminal(rows: number, cols: number) {
  const input = new PassThrough();
  let screen = '';
  const notices: string[] = [];
  const resizeListeners = new Set<() => void>();
  let size = { rows, cols };
  const output = new PassThrough();
  output.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
  const io: TerminalIo = {
    input, output, notice: (line) => notices.push(line), size: () => size,
    onResize: (listener) => {
      resizeListeners.add(listener);
      return () => resizeListeners.delete(listener);
    },
  };
  return {
    io, notices,
    type: (text: string) => input.write(text),
    screen: () => screen,
    resize(r: number, c: number) {
      size = { rows: r, cols: c };
      resizeListeners.forEach((l) => l());
    },
    /** Waits until the screen shows `text` (the remote side answered). */
    waitFor: (text: string) => waitFor(`the terminal to show ${JSON.stringify(text)}`, async () => (screen.includes(text) ? true : undefined), 20_000),
  };
}

/** The status and error message with which the API refuses the WebSocket upgrade for `token`. */
function refusedUpgrade(token: string): Promise<{ status: number; message: string }> {
  const ws = new WebSocket(terminalUrl({ base, token, app, command: 'sh' }, { rows: 24, cols: 80 }), { headers: { authorization: `Bearer ${token}` } });
  return new Promise((resolve, reject) => {
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => {
        resolve({ status: res.statusCode!, message: (JSON.parse(body) as { error: { message: string } }).error.message });
      });
    });
  });
}

describe('devflow run --tty over the API', () => {
  it('runs an interactive shell: typed commands answer, stty size follows the window, the exit code comes back', async () => {
    const term = fakeTerminal(30, 100);
    const status = attachTerminal({ base, token: deployToken, app, command: 'sh' }, term.io);
    term.type('echo "greeting is $GREETING"\r');
    await term.waitFor('greeting is hello');
    term.type('stty size\r');
    await term.waitFor('30 100');
    term.resize(40, 120);
    // The resize frame and the keystrokes travel on one ordered socket.
    term.type('stty size\r');
    await term.waitFor('40 120');
    term.type('exit 5\r');
    expect(await status).toBe(5);
    expect(term.notices[0]).toMatch(/^Running sh on ttyapp \(run \d+, v1\), with a terminal$/);
    const [latest] = await runs.list(app);
    expect(latest).toMatchObject({ command: 'sh', state: 'failed', exitCode: 5, detached: false, actor: 'tty-deploy' });
  });

  it('refuses a missing token, a bad one, a read-only one, a missing app and a bad size', async () => {
    const target = { base, app, command: 'sh' };
    await expect(attachTerminal({ ...target, token: '' }, fakeTerminal(24, 80).io)).rejects.toThrow(/authentication required/);
    await expect(attachTerminal({ ...target, token: 'dft_nope' }, fakeTerminal(24, 80).io)).rejects.toThrow(/not valid or has expired/);
    await expect(attachTerminal({ ...target, token: readToken }, fakeTerminal(24, 80).io)).rejects.toThrow(/"deploy" permission/);
    await expect(attachTerminal({ ...target, app: 'nosuchapp', token: deployToken }, fakeTerminal(24, 80).io)).rejects.toThrow(/does not exist/);
    await expect(attachTerminal({ ...target, token: deployToken }, fakeTerminal(0, 80).io)).rejects.toThrow(/rows must be a whole number/);
  });

  it('kills the process when the client goes away, and records the run as killed', async () => {
    const ws = new WebSocket(terminalUrl({ base, token: deployToken, app, command: 'echo "pid=$$"; sleep 300' }, { rows: 24, cols: 80 }), {
      headers: { authorization: `Bearer ${deployToken}` },
    });
    let screen = '';
    let runId = 0;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) screen += data.toString('utf8');
      else runId = (JSON.parse(data.toString('utf8')) as { run?: { id: number } }).run?.id ?? runId;
    });
    const pid = await waitFor('the shell to print its pid', async () => /pid=(\d+)/.exec(screen)?.[1], 20_000);
    expect(await isPidRunning(Number(pid))).toBe(true);
    ws.terminate();
    await waitFor('the shell to be killed', async () => ((await isPidRunning(Number(pid))) ? undefined : true), 20_000);
    const run = await waitFor('the run to end', async () => {
      const found = await runs.get(app, runId);
      return found.state === 'running' ? undefined : found;
    });
    expect(run).toMatchObject({ state: 'killed', exitCode: 137 });
  });

  it('the CLI itself, with no terminal on stdin (a script, CI): the output comes back and the CLI exits with the code', async () => {
    const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cli/main.ts');
    const env = { PATH: process.env.PATH, HOME: home, DEVFLOW_API: base, DEVFLOW_TOKEN: deployToken, DEVFLOW_CONFIG: path.join(home, 'no-credentials.json') };
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'run', app, '--tty', '--', 'echo first; exit 3'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stdout).toContain('first');
    expect(stderr).toContain(`Running echo first; exit 3 on ${app}`);
    expect(code).toBe(3);
  }, 60_000);

  it("answers another team's members 404, whatever their role, as for an app that does not exist", async () => {
    // The first person is the instance's owner (who sees every team); the others join globex only.
    await createPerson(db.sql, 'first@tty.test', 'a long password');
    const globex = await createTeam(db.sql, 'globex', null);
    const tokens: Record<string, string> = {};
    for (const role of ROLES) {
      const person = await createPerson(db.sql, `${role}@globex.test`, 'a long password');
      await addMember(db.sql, globex.id, person.id, role);
      tokens[role] = (await startSession(db.sql, person.id)).accessToken;
    }
    const before = (await runs.list(app)).length;
    for (const role of ROLES) {
      const refused = await refusedUpgrade(tokens[role]!);
      expect(refused, role).toEqual({ status: 404, message: 'app "ttyapp" does not exist' });
      // `devflow run --tty` says the same.
      await expect(attachTerminal({ base, app, command: 'sh', token: tokens[role]! }, fakeTerminal(24, 80).io), role)
        .rejects.toThrow('app "ttyapp" does not exist');
    }
    expect((await runs.list(app)).length, 'no run started').toBe(before);
    // The same developer's session runs once the app is globex's: the 404 came from the team.
    const [{ team_id: own }] = await db.sql<[{ team_id: number }]>`SELECT team_id FROM apps WHERE name = ${app}`;
    await db.sql`UPDATE apps SET team_id = ${globex.id} WHERE name = ${app}`;
    try {
      expect(await attachTerminal({ base, app, command: 'exit 4', token: tokens.developer! }, fakeTerminal(24, 80).io)).toBe(4);
    } finally {
      await db.sql`UPDATE apps SET team_id = ${own} WHERE name = ${app}`;
    }
  });
});
