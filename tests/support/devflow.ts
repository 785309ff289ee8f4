/**
 * Runs `devflow up` as a real child process on free ports with its own DEVFLOW_HOME, and drives
 * it the way a user does: the CLI, git, HTTP. Both the server and the CLI are the current source
 * compiled at the start of the test run (compiled-cli.ts), so no build step is needed; the
 * built bin/devflow.js is tested by tests/e2e/cli.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { freePort } from '../../core/embedded-postgres/embedded.js';
import { serverUrl, withDatabase } from './postgres.js';
import { connect } from '../../core/store/database.js';
import { randomBytes } from 'node:crypto';
import { CLI_ENTRY } from './compiled-cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface DevflowProcess {
  home: string;
  port: number;
  httpPort: number;
  httpsPort: number;
  api: string;
  token: string;
  output(): string;
  cli(args: string[], options?: { reject?: boolean }): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Resolves once the process has exited, with how it exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * Ctrl-C as a terminal delivers it: SIGINT to every process in the foreground process group,
   * not only DevFlow. Needs `ownProcessGroup`, so the group is DevFlow's and not the test's.
   */
  pressCtrlC(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * Closes the terminal: its output goes away and SIGHUP reaches the whole process group, as
   * when a terminal window or an SSH session closes. Needs `ownProcessGroup`, like pressCtrlC.
   */
  hangUp(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  restart(): Promise<void>;
  /** Starts it again after stop(), on the same home, database and ports. */
  start(): Promise<void>;
}

export interface StartOptions {
  runtime: 'docker' | 'process' | 'swarm';
  home?: string;
  env?: Record<string, string>;
  /** Start DevFlow as the leader of its own process group, as a shell starts a foreground job. */
  ownProcessGroup?: boolean;
}

/** Each test run's DevFlow gets its own database on the shared test server (fast, isolated). */
async function freshDatabaseUrl(): Promise<string> {
  const admin = connect(serverUrl(), 1);
  const name = `devflow_${randomBytes(5).toString('hex')}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  return withDatabase(serverUrl(), name);
}

export async function startDevflowProcess(options: StartOptions): Promise<DevflowProcess> {
  const home = options.home ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-e2e-')));
  const [port, httpPort, httpsPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env,
    DEVFLOW_HOME: home,
    DEVFLOW_RUNTIME: options.runtime,
    DATABASE_URL: options.env?.DATABASE_URL ?? (await freshDatabaseUrl()),
    ...options.env,
  };
  let child: ChildProcess;
  let output = '';
  const launch = async () => {
    output = '';
    child = spawn(process.execPath, [CLI_ENTRY, 'up',
      '--port', String(port), '--http-port', String(httpPort), '--https-port', String(httpsPort)],
      { env, cwd: ROOT, detached: options.ownProcessGroup ?? false });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => output.includes('devflow ready:'), () => child.exitCode !== null, 120_000, () => output);
  };
  await launch();
  const token = (await fs.readFile(path.join(home, 'admin-token'), 'utf8')).trim();
  const api = `http://127.0.0.1:${port}`;
  const signalAndWait = async (send: () => void) => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      send();
      await exited;
    }
    return { code: child.exitCode, signal: child.signalCode };
  };
  const stop = (signal: NodeJS.Signals = 'SIGTERM') => signalAndWait(() => child.kill(signal));
  const pressCtrlC = () => {
    if (!options.ownProcessGroup) throw new Error('pressCtrlC needs ownProcessGroup: true');
    return signalAndWait(() => process.kill(-child.pid!, 'SIGINT'));
  };
  const hangUp = () => {
    if (!options.ownProcessGroup) throw new Error('hangUp needs ownProcessGroup: true');
    return signalAndWait(() => {
      child.stdout!.destroy();
      child.stderr!.destroy();
      process.kill(-child.pid!, 'SIGHUP');
    });
  };
  return {
    home, port, httpPort, httpsPort, api, token,
    output: () => output,
    async cli(args, cliOptions = {}) {
      const result = await execa(process.execPath, [CLI_ENTRY, ...args], {
        env: { DEVFLOW_API: api, DEVFLOW_TOKEN: token, DEVFLOW_HOME: home, PATH: process.env.PATH ?? '' },
        reject: cliOptions.reject ?? true, cwd: ROOT,
      });
      return { exitCode: result.exitCode ?? 0, stdout: result.stdout, stderr: result.stderr };
    },
    stop,
    pressCtrlC,
    hangUp,
    async restart() {
      await stop();
      await launch();
    },
    start: launch,
  };
}

async function waitFor(ok: () => boolean, failed: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (failed()) throw new Error(`devflow exited before it was ready:\n${describe()}`);
    if (Date.now() > deadline) throw new Error(`devflow was not ready within ${timeoutMs} ms:\n${describe()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GET through the router with the app's Host header, as a browser at http://<app>.localhost would. */
export function getViaRouter(httpPort: number, host: string, urlPath = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: httpPort, path: urlPath, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
  });
}
