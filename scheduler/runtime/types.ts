/**
 * The runtime driver contract (DESIGN.md, "scheduler/"): the scheduler starts, stops, lists and
 * reads the logs of instances through this interface only. Drivers (docker, process, later
 * swarm) are chosen in one place, `select.ts`.
 */
import type { AppName, ProcessType } from '../../core/names.js';
import type { Artifact, Instance, RuntimeKind } from '../../core/types.js';
import type { UsageReading } from './usage.js';

export type { UsageReading } from './usage.js';

export interface InstanceSpec {
  app: AppName;
  release: number;
  processType: ProcessType;
  /** replica slot, 1-based */
  slot: number;
  artifact: Artifact;
  /** config + DEVFLOW_* vars; the driver adds PORT itself */
  env: Record<string, string>;
  memoryMb?: number;
  cpus?: number;
  /**
   * A one-off command (`devflow run`, cron) to run under `/bin/sh -c` in the release's build and
   * launch environment instead of the process type's command; runOnce only.
   */
  command?: string;
}

/**
 * A host directory every container of a driver sees, read-only (telemetry's Node agent,
 * telemetry/agent/agent-files.ts): code shared by DevFlow, never an app's data or secrets.
 */
export interface ReadOnlyMount {
  hostPath: string;
  containerPath: string;
}

export interface StopOptions {
  /** How long to wait after SIGTERM before SIGKILL; default 10 s. */
  graceMs?: number;
}

export interface LogsOptions {
  /** How many of the most recent lines to return; default 100. */
  tail?: number;
}

export interface RuntimeDriver {
  readonly kind: RuntimeKind;
  /**
   * DEVFLOW_MAX_RESTARTS: how often a crashing instance is restarted before its slot counts as
   * crashed. The docker and swarm drivers hand it to the engine (which restarts the instance
   * itself and only then reports it exited); on the process runtime the supervisor does the
   * restarts (scheduler/crash-loop.ts).
   */
  readonly maxRestarts: number;
  /** Returns once the process/container has started (not necessarily healthy); upstream set for web. */
  start(spec: InstanceSpec): Promise<Instance>;
  /** SIGTERM, wait graceMs (default 10 s), then SIGKILL; stopping a gone instance is fine. */
  stop(instanceId: string, options?: StopOptions): Promise<void>;
  /**
   * All DevFlow instances this runtime knows, found from the runtime itself (docker labels,
   * state files), so it works after a DevFlow restart. Instances whose process ended are
   * reported with state 'exited' until stop() removes them.
   */
  list(app?: AppName): Promise<Instance[]>;
  /** Recent output lines (stdout and stderr interleaved). */
  logs(instanceId: string, options?: LogsOptions): Promise<string[]>;
  /**
   * The instance's output lines after `position` (undefined: from the start) and the position
   * after them. The position is the driver's own (a byte offset, a timestamp) and is stored with
   * the lines, so the log collector (scheduler/logs) resumes after a restart without knowing
   * where or how the runtime keeps output. A gone instance reads as no lines.
   */
  readLogs(instanceId: string, position: string | undefined): Promise<LogRead>;
  removeArtifact?(artifact: Artifact): Promise<void>;
  /**
   * Changes a running instance's CPU cap in place (undefined: no cap). Drivers that have it let
   * an instance boot without its size's CPU cap and get the cap once healthy (boot-limits.ts).
   */
  setCpuLimit?(instanceId: string, cpus: number | undefined): Promise<void>;
  /**
   * CPU time and memory of each running instance, read now (usage.ts); the metrics sampler
   * (telemetry) turns two readings into a CPU share. Drivers without it report no usage.
   */
  readUsage?(): Promise<UsageReading[]>;
  /**
   * Runs the spec's process type once, to completion, in the release's build with its config
   * (the release phase): no port, no restarts, removed afterwards. Killed after timeoutMs.
   */
  runOnce?(spec: InstanceSpec, options: RunOnceOptions): Promise<RunOnceResult>;
  /**
   * `devflow run --tty`: the one-off command on a pseudo-terminal of the given size, its bytes
   * both ways, resizable; killed when `signal` aborts or the timeout passes, then removed.
   */
  runTty?(spec: InstanceSpec, options: TtyOptions): Promise<TtySession>;
  /**
   * Readies what `count` starts of the app's web process will need, so a start does less (the
   * docker runtime: network namespaces, docker-netns.ts); kept for a while, then removed if unused.
   * A start without anything ready works as before.
   */
  prepareStarts?(app: AppName, count: number): void;
  /** Removes at once what prepareStarts keeps ready for the app (the app is being destroyed). */
  dropPreparedStarts?(app: AppName): Promise<void>;
  /** Removes what the driver keeps ready (DevFlow is stopping). */
  close?(): Promise<void>;
}

export interface TtyOptions {
  timeoutMs: number;
  rows: number;
  cols: number;
  /** The terminal's output, raw bytes (escape sequences and all). */
  onData(chunk: Buffer): void;
  signal?: AbortSignal;
}

export interface TtySession {
  /** Keystrokes from the client. */
  write(data: Buffer): void;
  resize(rows: number, cols: number): void;
  /** The process's end: its exit status (128 + signal when one ended it), never rejects. */
  exited: Promise<{ exitCode: number; timedOut: boolean }>;
}

export interface ReadLine {
  at: Date;
  text: string;
}

export interface LogRead {
  lines: ReadLine[];
  position: string;
}

export interface RunOnceOptions {
  timeoutMs: number;
  /** Each output line (stdout and stderr interleaved) as it arrives. */
  onLine?: (line: string) => void;
  /** Aborting kills the process as a timeout does (a `devflow run` whose client went away). */
  signal?: AbortSignal;
}

export interface RunOnceResult {
  /** The process's exit status; 128 + signal number when a signal ended it. */
  exitCode: number;
  /** The last RUN_ONCE_OUTPUT_LINES lines of output. */
  output: string[];
  timedOut: boolean;
}

export const RUN_ONCE_OUTPUT_LINES = 200;

export const DEFAULT_GRACE_MS = 10_000;
export const DEFAULT_LOG_TAIL = 100;
/** The port every process listens on inside a container (Heroku convention). */
export const CONTAINER_PORT = 5000;
