/**
 * A server program DevFlow supervises on the embedded default (the add-on Redis server, the
 * PgBouncer pool): started in its own process group so a terminal's Ctrl-C reaches only
 * DevFlow, restarted with a growing delay when it exits, stopped with DevFlow. One left running
 * by a killed DevFlow is stopped first (its pid file names it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import { DevflowError } from '../core/errors.js';

const MAX_RESTART_DELAY_MS = 30_000;

export interface SupervisedProcessOptions {
  /** For log lines, e.g. "redis add-on server". */
  name: string;
  binary: string;
  args: readonly string[];
  /** Where the program writes its log: named in messages. */
  logFile: string;
  log: (line: string) => void;
  /** Run as this user (root starting a program that refuses root). */
  user?: { uid: number; gid: number };
}

export class SupervisedProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restartDelayMs = 1_000;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SupervisedProcessOptions) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.stopping = false;
    const { binary, args, user } = this.options;
    const child = spawn(binary, [...args], { detached: true, stdio: 'ignore', ...(user ?? {}) });
    child.on('error', (err) => this.options.log(`${this.options.name}: ${err.message}`));
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    this.child = child;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  /**
   * Polls `ready` until it holds; fails with the log's last lines when the program exits first
   * or does not answer in time.
   */
  async waitUntil(ready: () => Promise<boolean>, hint: string, timeoutMs = 20_000): Promise<void> {
    const started = Date.now();
    while (!(await ready())) {
      if (!this.running || Date.now() - started > timeoutMs) {
        const tail = (await fs.readFile(this.options.logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join(' | ');
        throw new DevflowError('runtime_unavailable', `the ${this.options.name} did not start${tail ? `: ${tail}` : ''} (${hint})`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping || this.child !== child) return;
    this.options.log(`${this.options.name} exited (${signal ?? `code ${code}`}); restarting in ${this.restartDelayMs / 1000} s (see ${this.options.logFile})`);
    this.restartTimer = setTimeout(() => {
      if (!this.stopping) this.start();
    }, this.restartDelayMs);
    this.restartDelayMs = Math.min(this.restartDelayMs * 2, MAX_RESTART_DELAY_MS);
  }
}

/** Stops the program a killed DevFlow left running, if its pid file names one still running. */
export async function stopLeftover(pidFile: string, program: string): Promise<void> {
  const pid = Number((await fs.readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes(program)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 200 && (await fs.access(`/proc/${pid}`).then(() => true, () => false)); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
}
