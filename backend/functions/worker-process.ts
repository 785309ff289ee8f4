/**
 * One function worker: a Node child process (worker-main.ts) serving one deployed bundle of one
 * project. A child process, not a worker thread, so a project's env and memory live in an
 * address space of their own. Node's permission model (nodejs.org/api/permissions.html) lets it
 * read only the worker script and its bundle's folder, and start no processes or threads: it
 * cannot read DevFlow's files, other projects' bundles or other processes' /proc entries. Its
 * environment is exactly the project's (nothing of DevFlow's is inherited), and its heap is
 * capped with --max-old-space-size. Under a root DevFlow it runs as the workers' own user
 * (worker-user.ts), whose packets the firewall judges; its guard gets the allowed endpoints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { DevflowError } from '../../core/errors.js';
import type { AllowedEndpoint } from './network-policy.js';
import type { WorkerUser } from './worker-user.js';

export interface WorkerSpec {
  /** The worker's entry (worker-script.ts) and the bundle it loads. */
  script: string;
  bundlePath: string;
  /** The function's name, for messages the worker writes. */
  name: string;
  env: Record<string, string>;
  memoryMb: number;
  /** Closed-range endpoints the function may reach (its SUPABASE_URL and SUPABASE_DB_URL). */
  allowed: AllowedEndpoint[];
  /** The user the worker runs as; undefined runs it as DevFlow's own. */
  user?: WorkerUser;
}

/** A line a worker wrote; `invocation` is null for lines outside any request (start-up, raw writes). */
export interface LogRecord {
  invocation: string | null;
  stream: 'stdout' | 'stderr' | 'system';
  line: string;
}

export type WorkerState = 'starting' | 'ready' | 'stopped';

/** How long a worker may take to load its bundle and listen. */
const START_TIMEOUT_MS = 15_000;

/** The child's argument array; pure, so its limits are checked by a table test. */
export function workerArgs(spec: WorkerSpec): string[] {
  return [
    '--experimental-permission',
    `--allow-fs-read=${spec.script}`,
    `--allow-fs-read=${path.dirname(spec.bundlePath)}${path.sep}`,
    `--max-old-space-size=${spec.memoryMb}`,
    '--disable-warning=ExperimentalWarning',
    spec.script, spec.bundlePath, spec.name, JSON.stringify(spec.allowed),
  ];
}

export class FunctionStartError extends DevflowError {
  constructor(message: string) {
    super('runtime_unavailable', message);
  }
}

type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'fatal'; message: string }
  | { type: 'log'; invocation: string | null; stream: 'stdout' | 'stderr'; line: string };

export class FunctionWorker {
  state: WorkerState = 'starting';
  port = 0;
  inFlight = 0;
  lastUsed = Date.now();
  /** How the process ended, once it has. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;

  private constructor(spec: WorkerSpec, private readonly onLog: (record: LogRecord) => void) {
    this.child = spawn(process.execPath, workerArgs(spec), {
      env: spec.env, cwd: path.dirname(spec.bundlePath), stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json',
      ...(spec.user && { uid: spec.user.uid, gid: spec.user.gid }),
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => {
      this.exit = { code, signal };
      this.state = 'stopped';
      resolve();
    }));
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: this.child[stream]! }).on('line', (line) => onLog({ invocation: null, stream, line }));
    }
    this.child.on('message', (message: ChildMessage) => {
      if (message.type === 'log') onLog({ invocation: message.invocation || null, stream: message.stream, line: message.line });
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Starts a worker and waits until it listens; a bundle that fails to load is a FunctionStartError. */
  static async start(spec: WorkerSpec, onLog: (record: LogRecord) => void): Promise<FunctionWorker> {
    const worker = new FunctionWorker(spec, onLog);
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new FunctionStartError(`function ${spec.name} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      worker.child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          worker.port = message.port;
          worker.state = 'ready';
          resolve();
        } else if (message.type === 'fatal') {
          clearTimeout(timer);
          onLog({ invocation: null, stream: 'system', line: message.message });
          reject(new FunctionStartError(`function ${spec.name} failed to start: ${message.message.split('\n')[0]}`));
        }
      });
      void worker.exited.then(() => {
        clearTimeout(timer);
        reject(new FunctionStartError(`function ${spec.name} exited while starting (${describeExit(worker.exit!)})`));
      });
    });
    try {
      await ready;
    } catch (err) {
      worker.stop();
      throw err;
    }
    return worker;
  }

  /** Ends the process at once: a worker past its time limit may be looping and would not stop itself. */
  stop(): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.child.kill('SIGKILL');
  }
}

export function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null }): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}
